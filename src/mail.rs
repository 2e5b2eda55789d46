//! Sending mail through the configured SMTP server (lettre): plain text and HTML in one message.

use crate::config::Settings;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// One message to one recipient.
pub struct Outgoing<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

impl Mailer {
    /// The mailer the settings describe; `Ok(None)` when no `smtp_url` is set (nothing is sent).
    pub fn from_settings(settings: &Settings) -> Result<Option<Mailer>, String> {
        if settings.smtp_url.trim().is_empty() {
            return Ok(None);
        }
        // `?tls=starttls` is what people write; lettre calls it `required`.
        let url = settings.smtp_url.replace("tls=starttls", "tls=required");
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| format!("smtp_url を読み取れません: {e}"))?
            .timeout(Some(Duration::from_secs(20)));
        if !settings.smtp_password_file.is_empty() {
            let password = std::fs::read_to_string(&settings.smtp_password_file)
                .map_err(|e| format!("smtp_password_file を読めません: {e}"))?;
            let user = url
                .split_once("://")
                .and_then(|(_, rest)| rest.split_once('@'))
                .map(|(credentials, _)| credentials.split(':').next().unwrap_or("").to_string())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user, password.trim().to_string()));
        }
        let from = settings
            .mail_from
            .parse::<Mailbox>()
            .map_err(|e| format!("mail_from の形式が正しくありません: {e}"))?;
        Ok(Some(Mailer {
            transport: builder.build(),
            from,
        }))
    }

    /// Sends one message; answers the server's reply (`250 …`) or why it could not be sent.
    pub async fn send(&self, message: &Outgoing<'_>) -> Result<String, String> {
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|e| format!("宛先 {} が正しくありません: {e}", message.to))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(message.text.to_string()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(message.html.to_string()),
                    ),
            )
            .map_err(|e| format!("メールを組み立てられません: {e}"))?;
        let response = self
            .transport
            .send(email)
            .await
            .map_err(|e| format!("送信できませんでした: {e}"))?;
        Ok(format!(
            "{} {}",
            response.code(),
            response.message().collect::<Vec<_>>().join(" ")
        ))
    }
}
