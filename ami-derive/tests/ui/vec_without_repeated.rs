use ami_types::derive::Event;

#[derive(Event)]
#[ami(name = "MyEvent")]
pub struct MyEvent<'a> {
    #[ami(header = "Output")]
    pub output: Vec<&'a str>,
}

fn main() {}
