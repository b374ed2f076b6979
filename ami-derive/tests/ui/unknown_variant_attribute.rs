use ami_types::derive::AmiEnum;

#[derive(AmiEnum)]
pub enum Mode {
    #[ami(wire = "fast", alias_of = "quick")]
    Fast,
    #[ami(other)]
    Other(Box<str>),
}

fn main() {}
