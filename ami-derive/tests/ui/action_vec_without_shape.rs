use ami_types::derive::Action;

#[derive(Action)]
#[ami(name = "MyAction")]
pub struct MyAction {
    #[ami(header = "Codecs")]
    pub codecs: Vec<String>,
}

fn main() {}
