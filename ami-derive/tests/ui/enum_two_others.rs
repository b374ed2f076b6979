use ami_types::derive::AmiEnum;

#[derive(AmiEnum)]
pub enum Mode {
    #[ami(wire = "fast")]
    Fast,
    #[ami(other)]
    Other(Box<str>),
    #[ami(other)]
    Unknown(Box<str>),
}

fn main() {}
