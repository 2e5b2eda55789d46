//! Record ids in paths and form fields. A path segment that is not a positive number reads as id 0, which
//! names no record (ids start at 1): every lookup then answers 404, exactly as for a number that names no
//! record, rather than Rocket's 422 for a parameter that fails to parse. In a form it is a field error.

use rocket::form::{self, FromFormField, ValueField};
use rocket::request::FromParam;

macro_rules! path_id {
    ($name:ident) => {
        impl<'a> FromParam<'a> for crate::domain::ids::$name {
            type Error = std::convert::Infallible;

            fn from_param(param: &'a str) -> Result<Self, Self::Error> {
                Ok(param.parse().unwrap_or(Self::new(0)))
            }
        }

        impl<'v> FromFormField<'v> for crate::domain::ids::$name {
            fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
                field
                    .value
                    .parse()
                    .map_err(|e: crate::domain::ids::NotAnId| {
                        form::Error::validation(e.to_string()).into()
                    })
            }
        }
    };
}

crate::for_each_record_id!(path_id);
