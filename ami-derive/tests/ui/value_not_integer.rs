use ami_types::derive::AmiEnum;

#[derive(AmiEnum)]
pub enum Mode {
    #[ami(wire = "fast", value = "1")]
    Fast,
    #[ami(wire = "slow", value = 1.5)]
    Slow,
    #[ami(other)]
    Other(Box<str>),
}

fn main() {}
