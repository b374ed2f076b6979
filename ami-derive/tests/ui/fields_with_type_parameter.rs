use ami_types::derive::Fields;

#[derive(Fields)]
pub struct Snap<'a, T> {
    pub channel: &'a str,
    pub extra: Option<T>,
}

fn main() {}
