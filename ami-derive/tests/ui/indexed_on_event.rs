use ami_types::derive::Event;

#[derive(Event)]
#[ami(name = "MyEvent")]
pub struct MyEvent<'a> {
    #[ami(header = "Amount(0)", indexed)]
    pub amount: Vec<&'a str>,
}

fn main() {}
