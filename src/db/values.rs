//! Column types the `Any` driver lacks: ISO-text dates, UTC timestamps and 0/1 flags.

use crate::domain::dates::JpDate;
use crate::domain::Timestamp;
use chrono::NaiveDate;
use sqlx::any::AnyTypeInfo;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Any, Database, Decode, Encode, Type};

/// A `TEXT` column holding `YYYY-MM-DD`; use with `#[sqlx(try_from = "IsoDate")]` on a `NaiveDate` field.
pub struct IsoDate(NaiveDate);

impl Type<Any> for IsoDate {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for IsoDate {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        // `FromStr` reads YYYY-MM-DD without a format string to interpret, once per row and column.
        let text = <&str as Decode<Any>>::decode(value)?;
        Ok(IsoDate(text.parse::<NaiveDate>()?))
    }
}

impl From<IsoDate> for NaiveDate {
    fn from(value: IsoDate) -> Self {
        value.0
    }
}

impl Type<Any> for Timestamp {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Timestamp {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(<&str as Decode<Any>>::decode(value)?.parse()?)
    }
}

impl<'q> Encode<'q, Any> for Timestamp {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Any>>::encode(self.to_string(), buf)
    }
}

impl From<Timestamp> for super::sql::Param {
    fn from(time: Timestamp) -> Self {
        super::sql::Param::Text(time.to_string())
    }
}

/// An integer 0/1 column; use with `#[sqlx(try_from = "IntBool")]` on a `bool` field.
pub struct IntBool(bool);

impl Type<Any> for IntBool {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for IntBool {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(IntBool(<i64 as Decode<Any>>::decode(value)? != 0))
    }
}

impl From<IntBool> for bool {
    fn from(value: IntBool) -> Self {
        value.0
    }
}

/// How a date is written into a column.
pub fn iso(date: NaiveDate) -> String {
    date.iso()
}
