use ami_types::derive::AmiEnum;

#[derive(AmiEnum)]
pub enum Mode {
    #[ami(wire = "fast")]
    Fast,
    #[ami(value = 2)]
    Slow,
    #[ami(other)]
    Other(Box<str>),
}

fn main() {}
