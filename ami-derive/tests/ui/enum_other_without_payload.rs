use ami_types::derive::AmiEnum;

#[derive(AmiEnum)]
pub enum Mode {
    #[ami(wire = "fast")]
    Fast,
    #[ami(other)]
    Other,
}

fn main() {}
