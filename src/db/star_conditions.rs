//! METI's three conditions recorded per contract.

use super::values::IntBool;
use super::Conn;
use crate::domain::ids::ContractId;
use crate::domain::star::StarConditions;
use crate::domain::Timestamp;
use sqlx::FromRow;

#[derive(FromRow)]
struct Row {
    #[sqlx(try_from = "IntBool")]
    sensitive_data: bool,
    #[sqlx(try_from = "IntBool")]
    outage_critical: bool,
    #[sqlx(try_from = "IntBool")]
    reaches_internal: bool,
}

pub async fn find(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Option<StarConditions>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT sensitive_data, outage_critical, reaches_internal FROM contract_star_conditions
         WHERE contract_id = $1",
    )
    .bind(contract_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| StarConditions {
        sensitive_data: r.sensitive_data,
        outage_critical: r.outage_critical,
        reaches_internal: r.reaches_internal,
    }))
}

pub async fn set(
    conn: &mut Conn,
    contract_id: ContractId,
    conditions: StarConditions,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO contract_star_conditions (contract_id, sensitive_data, outage_critical, reaches_internal, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (contract_id) DO UPDATE SET sensitive_data = excluded.sensitive_data,
         outage_critical = excluded.outage_critical, reaches_internal = excluded.reaches_internal,
         updated_at = excluded.updated_at",
    )
    .bind(contract_id)
    .bind(i64::from(conditions.sensitive_data))
    .bind(i64::from(conditions.outage_critical))
    .bind(i64::from(conditions.reaches_internal))
    .bind(Timestamp::now())
    .execute(conn)
    .await?;
    Ok(())
}
