use ami_types::derive::Action;

#[derive(Action)]
#[ami(name = "MyAction")]
pub struct MyAction {
    #[ami(header = "Codecs", repeated, list)]
    pub codecs: Vec<String>,
}

fn main() {}
