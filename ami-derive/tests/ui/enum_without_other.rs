use ami_types::derive::AmiEnum;

#[derive(AmiEnum)]
pub enum Mode {
    #[ami(wire = "fast")]
    Fast,
    #[ami(wire = "slow")]
    Slow,
}

fn main() {}
