use ami_types::derive::AmiEnum;

#[derive(AmiEnum)]
enum Color {
    #[ami(wire = "red")]
    Red,
    #[ami(other, wire = "x")]
    Other(Box<str>),
}

fn main() {}
