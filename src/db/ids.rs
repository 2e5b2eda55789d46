//! Record ids as integer columns and parameters.

use sqlx::any::{AnyTypeInfo, AnyValueRef};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Any, Database, Decode, Encode, Type};

macro_rules! integer_column {
    ($name:ident) => {
        impl Type<Any> for crate::domain::ids::$name {
            fn type_info() -> AnyTypeInfo {
                <i64 as Type<Any>>::type_info()
            }
            fn compatible(ty: &AnyTypeInfo) -> bool {
                <i64 as Type<Any>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Any> for crate::domain::ids::$name {
            fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok(Self::new(<i64 as Decode<Any>>::decode(value)?))
            }
        }

        impl<'q> Encode<'q, Any> for crate::domain::ids::$name {
            fn encode_by_ref(
                &self,
                buf: &mut <Any as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <i64 as Encode<'q, Any>>::encode_by_ref(&self.get(), buf)
            }
        }

        impl From<crate::domain::ids::$name> for super::sql::Param {
            fn from(id: crate::domain::ids::$name) -> Self {
                super::sql::Param::Int(id.get())
            }
        }

        impl From<Option<crate::domain::ids::$name>> for super::sql::Param {
            fn from(id: Option<crate::domain::ids::$name>) -> Self {
                id.map_or(super::sql::Param::NullInt, |id| {
                    super::sql::Param::Int(id.get())
                })
            }
        }
    };
}

crate::for_each_record_id!(integer_column);
