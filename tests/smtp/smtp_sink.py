#!/usr/bin/env python3
"""A real SMTP server for the mail tests (aiosmtpd): every message it receives is decoded and written as
one JSON file into DIR: {"from", "to": [...], "subject", "text", "html"}.

    smtp_sink.py --port PORT --dir DIR
Prints "ready" once it accepts connections.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        text = html = ""
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                text = part.get_content()
            elif part.get_content_type() == "text/html":
                html = part.get_content()
        record = {"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "subject": str(message["subject"]),
                  "text": text, "html": html}
        name = os.path.join(self.directory, f"{uuid.uuid4().hex}.json")
        with open(name + ".partial", "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False)
        os.rename(name + ".partial", name)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
