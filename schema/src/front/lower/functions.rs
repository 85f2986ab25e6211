//! Functions and triggers.

use super::*;

impl Folder {
    /// A function's signature: input argument types without modifiers (Postgres ignores
    /// `varchar(10)`'s length in a signature).
    pub(super) fn arg_types(
        &mut self,
        ctx: &Ctx,
        args: &[ast::OperateFunctionArg],
    ) -> Vec<DataType> {
        args.iter()
            .filter(|a| !matches!(a.mode, Some(ast::ArgMode::Out)))
            .filter_map(|a| self.column_type(ctx, &a.data_type, "function argument"))
            .map(|t| DataType {
                modifiers: Vec::new(),
                ..t
            })
            .collect()
    }

    pub(super) fn create_function(&mut self, ctx: &Ctx, cf: ast::CreateFunction) {
        let name = self.qname(&cf.name);
        let key = FunctionKey {
            name: name.clone(),
            args: self.arg_types(ctx, cf.args.as_deref().unwrap_or(&[])),
        };
        // Without RETURNS, Postgres takes the result from the OUT parameters (one: its
        // type; several: `record`) and refuses a function that has none.
        let outputs: Vec<&ast::OperateFunctionArg> = cf
            .args
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .filter(|a| matches!(a.mode, Some(ast::ArgMode::Out | ast::ArgMode::InOut)))
            .collect();
        let derived_returns = match (&cf.return_type, outputs.as_slice()) {
            (Some(_), _) => None,
            (None, []) => {
                self.error(
                    ctx,
                    Code::Syntax,
                    format!("function `{name}`: function result type must be specified"),
                    "add RETURNS type, or OUT parameters",
                );
                return;
            }
            (None, [one]) => Some(type_text(self, &one.data_type)),
            (None, _) => Some("record".to_string()),
        };
        // What sqlparser could not read was blanked in place: read it from the statement
        // as written.
        let unread = if ctx.exact {
            routine::Unread::default()
        } else {
            ctx.source
                .text
                .get(ctx.base..ctx.base + ctx.text.len())
                .and_then(routine::recover)
                .filter(|(blanked, _)| blanked == ctx.text)
                .map(|(_, unread)| unread)
                .unwrap_or_default()
        };
        let language = cf
            .language
            .as_ref()
            .map_or_else(|| "sql".to_string(), |l| l.value.to_ascii_lowercase());
        let mut depends_on = DependsOn::default();
        let (body, body_style) = match (&cf.function_body, unread.atomic) {
            (_, Some(atomic)) => (atomic, BodyStyle::SqlStandard),
            (
                Some(
                    ast::CreateFunctionBody::AsBeforeOptions { body, .. }
                    | ast::CreateFunctionBody::AsAfterOptions(body),
                ),
                None,
            ) => (literal_text(body), BodyStyle::String),
            (
                Some(ast::CreateFunctionBody::Return(e) | ast::CreateFunctionBody::AsReturnExpr(e)),
                None,
            ) => {
                depends_on = reads::reads(e);
                (format!("RETURN {e}"), BodyStyle::SqlStandard)
            }
            (Some(other), None) => (format!("{other:?}"), BodyStyle::String),
            (None, None) => {
                self.error(
                    ctx,
                    Code::Syntax,
                    format!("function `{name}`: no function body specified"),
                    "add the body: AS $$ … $$, RETURN expr, or BEGIN ATOMIC … END",
                );
                return;
            }
        };
        // What the body needs when the function is created (a SQL body is checked, a
        // PL/pgSQL body's %ROWTYPE resolved) must exist first.
        depends_on.0.extend(match body_style {
            BodyStyle::String => reads::body_reads(&language, &body).0,
            BodyStyle::SqlStandard => body
                .strip_prefix("BEGIN ATOMIC")
                .and_then(|b| b.trim_end().strip_suffix("END"))
                .map(|b| reads::sql_body_reads(b).0)
                .unwrap_or_default(),
        });
        for t in &key.args {
            if let TypeName::Named(n) = &t.name {
                depends_on.0.insert(n.clone());
            }
        }
        let params = cf
            .args
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .map(|a| {
                let mut p = String::new();
                match a.mode {
                    Some(ast::ArgMode::Out) => p.push_str("OUT "),
                    Some(ast::ArgMode::InOut) => p.push_str("INOUT "),
                    Some(ast::ArgMode::Variadic) => p.push_str("VARIADIC "),
                    _ => {}
                }
                if let Some(n) = &a.name {
                    p.push_str(&quote_ident(&ident(n)));
                    p.push(' ');
                }
                p.push_str(&type_text(self, &a.data_type));
                if let Some(d) = &a.default_expr {
                    p.push_str(&format!(" DEFAULT {d}"));
                }
                p
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut returns_set = false;
        let returns = cf.return_type.as_ref().map(|r| {
            let t = match r {
                ast::FunctionReturnType::DataType(t) => t,
                ast::FunctionReturnType::SetOf(t) => {
                    returns_set = true;
                    t
                }
            };
            returns_set |= matches!(t, ast::DataType::Table(_));
            if let Ok(Normalized::Type(DataType {
                name: TypeName::Named(n),
                ..
            })) = self.normalize_type(t)
            {
                depends_on.0.insert(n);
            }
            match r {
                ast::FunctionReturnType::DataType(t) => type_text(self, t),
                ast::FunctionReturnType::SetOf(t) => format!("SETOF {}", type_text(self, t)),
            }
        });
        let returns = returns.or(derived_returns);
        let volatility = match cf.behavior {
            Some(ast::FunctionBehavior::Immutable) => Volatility::Immutable,
            Some(ast::FunctionBehavior::Stable) => Volatility::Stable,
            _ => Volatility::Volatile,
        };
        let mut config = BTreeMap::new();
        for p in &cf.set_params {
            let param = p.name.to_string().to_ascii_lowercase();
            match &p.value {
                ast::FunctionSetValue::Values(values) => {
                    let list = LIST_PARAMETERS.contains(&param.as_str());
                    let values: Vec<String> = values
                        .iter()
                        .map(|v| {
                            let (text, word) = setting_text(v);
                            if list && word { quote_ident(&text) } else { text }
                        })
                        .collect();
                    config.insert(param, values.join(", "));
                }
                // `SET x = DEFAULT` stores nothing.
                ast::FunctionSetValue::Default => {}
                ast::FunctionSetValue::FromCurrent => self.report(
                    ctx,
                    Severity::Warning,
                    Code::Unsupported,
                    ctx.loc.clone(),
                    format!("function `{name}`: `SET {param} FROM CURRENT` takes the value of the session that creates it, which the offline model cannot know"),
                    "write the value: `SET name = value`",
                ),
            }
        }
        let number = |n: Option<String>, default: f32| {
            n.map(|n| n.parse::<f32>().map_or(n, |v| v.to_string()))
                .filter(|n| *n != default.to_string())
        };
        let cost_default = if matches!(language.as_str(), "c" | "internal") {
            1.0
        } else {
            100.0
        };
        let r = self.catalog.add_function(
            Function {
                key,
                params,
                returns,
                body,
                body_style,
                volatility,
                strict: matches!(
                    cf.called_on_null,
                    Some(
                        ast::FunctionCalledOnNull::Strict
                            | ast::FunctionCalledOnNull::ReturnsNullOnNullInput
                    )
                ),
                security_definer: matches!(cf.security, Some(ast::FunctionSecurity::Definer)),
                leakproof: unread.leakproof.unwrap_or(false),
                parallel: match cf.parallel {
                    Some(ast::FunctionParallel::Safe) => Parallel::Safe,
                    Some(ast::FunctionParallel::Restricted) => Parallel::Restricted,
                    _ => Parallel::Unsafe,
                },
                cost: number(unread.cost, cost_default),
                rows: number(unread.rows, if returns_set { 1000.0 } else { 0.0 }),
                config,
                depends_on,
                language,
                loc: ctx.loc.clone(),
            },
            cf.or_replace,
        );
        self.rule_if(ctx, r, false, cf.if_not_exists);
    }

    pub(super) fn create_trigger(&mut self, ctx: &Ctx, ct: ast::CreateTrigger) {
        let table = self.qname(&ct.table_name);
        let name = self.qname(&ct.name).name;
        let Some(exec) = &ct.exec_body else {
            self.error(
                ctx,
                Code::Unsupported,
                format!("trigger `{name}`: only EXECUTE FUNCTION triggers are modelled"),
                "call a trigger function with EXECUTE FUNCTION",
            );
            return;
        };
        let function = self.qname(&exec.func_desc.name);
        let timing = match ct.period {
            Some(ast::TriggerPeriod::Before) => "BEFORE",
            Some(ast::TriggerPeriod::InsteadOf) => "INSTEAD OF",
            _ => "AFTER",
        };
        let events = ct
            .events
            .iter()
            .map(|e| match e {
                ast::TriggerEvent::Insert => "INSERT".to_string(),
                ast::TriggerEvent::Update(cols) if cols.is_empty() => "UPDATE".to_string(),
                ast::TriggerEvent::Update(cols) => format!(
                    "UPDATE OF {}",
                    cols.iter()
                        .map(|c| quote_ident(&ident(c)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                ast::TriggerEvent::Delete => "DELETE".to_string(),
                ast::TriggerEvent::Truncate => "TRUNCATE".to_string(),
            })
            .collect();
        let for_each_row = matches!(
            ct.trigger_object,
            Some(
                ast::TriggerObjectKind::For(ast::TriggerObject::Row)
                    | ast::TriggerObjectKind::ForEach(ast::TriggerObject::Row)
            )
        );
        let r = self.catalog.add_trigger(
            Trigger {
                name,
                table,
                timing: timing.to_string(),
                events,
                for_each_row,
                condition: ct.condition.as_ref().map(|c| strip_nested(c).to_string()),
                function,
                loc: ctx.loc.clone(),
            },
            ct.or_replace,
        );
        self.rule(ctx, r);
    }
}
