//! The one place where `#[ami(...)]` attributes are parsed.

use heck::ToUpperCamelCase;
use syn::{Attribute, Expr, ExprLit, ExprUnary, Lit, LitStr, UnOp};

use crate::ctxt::Ctxt;

/// Attributes on the struct or enum.
#[derive(Default)]
pub struct Container {
    /// `name = "Wire"`.
    pub name: Option<LitStr>,
    /// `response = "Type<'a>"`.
    pub response: Option<syn::Type>,
    /// `follow_up = "Event"`.
    pub follow_up: Option<LitStr>,
}

/// Attributes on a struct field.
#[derive(Default)]
pub struct Field {
    /// `header = "Wire"`.
    pub header: Option<LitStr>,
    /// `repeated`.
    pub repeated: bool,
    /// `indexed`.
    pub indexed: bool,
    /// `list`.
    pub list: bool,
    /// `prefix_match`.
    pub prefix_match: bool,
    /// `unit = "s" | "ms"`.
    pub unit: Option<Unit>,
    /// `flatten`.
    pub flatten: bool,
    /// `prefix = "P"`.
    pub prefix: Option<LitStr>,
    /// `unknown`.
    pub unknown: bool,
}

/// A duration unit.
#[derive(Clone, Copy)]
pub enum Unit {
    Seconds,
    Millis,
}

/// Attributes on an enum variant.
#[derive(Default)]
pub struct Variant {
    /// `wire = "..."`.
    pub wire: Option<LitStr>,
    /// `value = N`.
    pub value: Option<i64>,
    /// `alias = "..."`, repeatable.
    pub aliases: Vec<LitStr>,
    /// `text = "..."`.
    pub text: Option<LitStr>,
    /// `other`.
    pub other: bool,
}

fn ami_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("ami"))
}

fn set_once<T>(cx: &mut Ctxt, slot: &mut Option<T>, value: T, path: &syn::Path) {
    if slot.is_some() {
        let name = path.get_ident().map(|i| i.to_string()).unwrap_or_default();
        cx.error_spanned_by(path, format!("duplicate ami attribute `{name}`"));
    } else {
        *slot = Some(value);
    }
}

fn set_flag(cx: &mut Ctxt, flag: &mut bool, path: &syn::Path) {
    if *flag {
        let name = path.get_ident().map(|i| i.to_string()).unwrap_or_default();
        cx.error_spanned_by(path, format!("duplicate ami attribute `{name}`"));
    }
    *flag = true;
}

impl Container {
    /// Parses the container attributes.
    pub fn from_attrs(cx: &mut Ctxt, attrs: &[Attribute]) -> Self {
        let mut c = Container::default();
        for attr in ami_attrs(attrs) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("name") {
                    let v: LitStr = meta.value()?.parse()?;
                    set_once(cx, &mut c.name, v, &meta.path);
                } else if meta.path.is_ident("response") {
                    let v: LitStr = meta.value()?.parse()?;
                    let ty: syn::Type = v.parse().map_err(|e| {
                        syn::Error::new(
                            v.span(),
                            format!("`response` must be a type such as \"MyReply<'a>\": {e}"),
                        )
                    })?;
                    set_once(cx, &mut c.response, ty, &meta.path);
                } else if meta.path.is_ident("follow_up") {
                    let v: LitStr = meta.value()?.parse()?;
                    set_once(cx, &mut c.follow_up, v, &meta.path);
                } else {
                    return Err(meta.error(
                        "unknown ami attribute; expected one of `name`, `response`, `follow_up`",
                    ));
                }
                Ok(())
            });
            if let Err(e) = result {
                cx.syn_error(e);
            }
        }
        c
    }
}

impl Field {
    /// Parses one field's attributes.
    pub fn from_attrs(cx: &mut Ctxt, attrs: &[Attribute]) -> Self {
        let mut f = Field::default();
        for attr in ami_attrs(attrs) {
            let result = attr.parse_nested_meta(|meta| {
                let p = &meta.path;
                if p.is_ident("header") {
                    let v: LitStr = meta.value()?.parse()?;
                    set_once(cx, &mut f.header, v, p);
                } else if p.is_ident("prefix") {
                    let v: LitStr = meta.value()?.parse()?;
                    set_once(cx, &mut f.prefix, v, p);
                } else if p.is_ident("unit") {
                    let v: LitStr = meta.value()?.parse()?;
                    let unit = match v.value().as_str() {
                        "s" => Unit::Seconds,
                        "ms" => Unit::Millis,
                        _ => return Err(syn::Error::new(v.span(), "unit must be \"s\" or \"ms\"")),
                    };
                    set_once(cx, &mut f.unit, unit, p);
                } else if p.is_ident("repeated") {
                    set_flag(cx, &mut f.repeated, p);
                } else if p.is_ident("indexed") {
                    set_flag(cx, &mut f.indexed, p);
                } else if p.is_ident("list") {
                    set_flag(cx, &mut f.list, p);
                } else if p.is_ident("prefix_match") {
                    set_flag(cx, &mut f.prefix_match, p);
                } else if p.is_ident("flatten") {
                    set_flag(cx, &mut f.flatten, p);
                } else if p.is_ident("unknown") {
                    set_flag(cx, &mut f.unknown, p);
                } else {
                    return Err(meta.error(
                        "unknown ami attribute; expected one of `header`, `repeated`, `indexed`, \
                         `list`, `prefix_match`, `unit`, `flatten`, `prefix`, `unknown`",
                    ));
                }
                Ok(())
            });
            if let Err(e) = result {
                cx.syn_error(e);
            }
        }
        f
    }

    /// The wire header name: `header`, else the field name in UpperCamelCase.
    pub fn wire_name(&self, ident: &syn::Ident) -> String {
        match &self.header {
            Some(h) => h.value(),
            None => ident
                .to_string()
                .trim_start_matches("r#")
                .to_upper_camel_case(),
        }
    }
}

impl Variant {
    /// Parses one variant's attributes.
    pub fn from_attrs(cx: &mut Ctxt, attrs: &[Attribute]) -> Self {
        let mut v = Variant::default();
        for attr in ami_attrs(attrs) {
            let result = attr.parse_nested_meta(|meta| {
                let p = &meta.path;
                if p.is_ident("wire") {
                    let s: LitStr = meta.value()?.parse()?;
                    set_once(cx, &mut v.wire, s, p);
                } else if p.is_ident("text") {
                    let s: LitStr = meta.value()?.parse()?;
                    set_once(cx, &mut v.text, s, p);
                } else if p.is_ident("alias") {
                    v.aliases.push(meta.value()?.parse()?);
                } else if p.is_ident("value") {
                    let expr: Expr = meta.value()?.parse()?;
                    let n = int_value(&expr).ok_or_else(|| {
                        syn::Error::new_spanned(&expr, "value must be an integer literal")
                    })?;
                    set_once(cx, &mut v.value, n, p);
                } else if p.is_ident("other") {
                    set_flag(cx, &mut v.other, p);
                } else {
                    return Err(meta.error(
                        "unknown ami attribute; expected one of `wire`, `value`, `alias`, `text`, `other`",
                    ));
                }
                Ok(())
            });
            if let Err(e) = result {
                cx.syn_error(e);
            }
        }
        v
    }
}

fn int_value(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse().ok(),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => int_value(expr).map(|n| -n),
        _ => None,
    }
}
