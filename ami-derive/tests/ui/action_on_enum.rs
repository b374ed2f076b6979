use ami_types::derive::Action;

#[derive(Action)]
#[ami(name = "MyAction")]
pub enum MyAction {
    A,
}

fn main() {}
