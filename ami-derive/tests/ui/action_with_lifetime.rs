use ami_types::derive::Action;

#[derive(Action)]
#[ami(name = "MyAction")]
pub struct MyAction<'a> {
    pub channel: &'a str,
}

fn main() {}
