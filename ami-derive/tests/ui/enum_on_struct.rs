use ami_types::derive::AmiEnum;

#[derive(AmiEnum)]
pub struct Mode {
    pub raw: String,
}

fn main() {}
