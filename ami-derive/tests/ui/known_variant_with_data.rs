use ami_types::derive::AmiEnum;

#[derive(AmiEnum)]
pub enum Mode {
    #[ami(wire = "fast")]
    Fast(u32),
    #[ami(other)]
    Other(Box<str>),
}

fn main() {}
