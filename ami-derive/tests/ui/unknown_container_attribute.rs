use ami_types::derive::Action;

#[derive(Action)]
#[ami(name = "MyAction", respons = "ami_types::Ack<'a>")]
pub struct MyAction {
    pub channel: String,
}

fn main() {}
