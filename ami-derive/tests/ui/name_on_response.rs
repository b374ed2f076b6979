use ami_types::derive::Response;

#[derive(Response)]
#[ami(name = "MyResponse")]
pub struct MyResponse<'a> {
    pub message: Option<&'a str>,
}

fn main() {}
