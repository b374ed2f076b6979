use ami_types::derive::Action;

#[derive(Action)]
#[ami(name = "MyAction")]
pub struct MyAction {
    #[ami(header = "Variable", repeated)]
    pub variable: Option<String>,
}

fn main() {}
