//! Raw criteria → validated model. Every problem is collected (not thrown one by one) with the
//! span of the value at fault, so `parindex check` can show them all at once. It owns the rules
//! of the format (what adds up, what is ordered, which keys a rule kind takes); it does no I/O.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use super::diagnostic::{Diagnostic, Source};
use super::messages as msg;
use super::model::*;
use super::raw::*;
use super::words::{self, Words};
use crate::support::numfmt::fmt_num;
use crate::support::text;

/// Points are sums of decimals like 0.25 or 1.5: compare them with a tolerance.
const EPS: f64 = 1e-9;

pub use super::words::RULE_KINDS;

struct V<'a> {
    src: &'a Source<'a>,
    diags: Vec<Diagnostic>,
}

impl V<'_> {
    fn err(&mut self, span: Range<usize>, msg: impl Into<String>) {
        let d = self.src.diag(span, msg);
        self.diags.push(d);
    }
    fn err_hint(&mut self, span: Range<usize>, msg: impl Into<String>, hint: impl Into<String>) {
        let d = self.src.diag(span, msg).hint(hint);
        self.diags.push(d);
    }

    /// One of a fixed set of words, with a "did you mean" hint.
    fn choice<T: Copy>(&mut self, v: &S<String>, list: &Words<T>) -> Option<T> {
        if let Some((_, t)) = list.options.iter().find(|(w, _)| *w == v.get_ref()) {
            return Some(*t);
        }
        let what = list.name();
        let words: Vec<&str> = list.options.iter().map(|(w, _)| *w).collect();
        let hint = match text::closest(v.get_ref(), words.iter().copied()) {
            Some(c) => msg::did_you_mean_allowed(c, words.join(", ")),
            None => msg::allowed_words(words.join(", ")),
        };
        self.err_hint(v.span(), msg::unknown_word(what, v.get_ref()), hint);
        None
    }
}

fn parse_id(id: &str) -> Option<Vec<u32>> {
    id.split('.').map(|p| p.parse::<u32>().ok()).collect()
}

/// Validate a parsed file. `path` is shown in diagnostics; `sha256` is carried to the model.
/// In cargo-deny's shape: one context (`V`) collects every diagnostic, one function per section
/// of the file checks it and builds its part of the model; this function only orders them.
pub fn validate(
    raw: RawCriteria,
    src: &Source<'_>,
    sha256: String,
) -> Result<Criteria, Vec<Diagnostic>> {
    let mut v = V {
        src,
        diags: Vec::new(),
    };
    let meta_span = raw.meta.span();
    let meta = raw.meta.into_inner();

    let (unit_types, max_points) = meta_of(&mut v, &meta);
    let policy = policy_of(&mut v, raw.policy);
    let (nodes, areas, by_id) = tree_of(
        &mut v,
        raw.criterion,
        &policy,
        &unit_types,
        max_points,
        &meta_span,
        &meta.max_points,
    );
    let (bonus, penalty) = sections_of(&mut v, raw.bonus, raw.penalty, &by_id);
    let grading = match raw.grading {
        None => {
            v.err_hint(
                meta_span.clone(),
                msg::no_grade_bands_in_set(),
                msg::add_grade_bands_example(),
            );
            Grading {
                basis: GradeBasis::RoundedIndex,
                bands: vec![],
            }
        }
        Some(g) => grading_of(&mut v, g),
    };

    let disqualify = disqualify_of(&mut v, raw.disqualify, &grading);
    let ranking = ranking_of(&mut v, raw.ranking, &nodes);

    if v.diags.is_empty() {
        Ok(Criteria {
            path: src.name.to_string(),
            sha256,
            name: text::nfc(meta.name.get_ref()),
            name_en: meta.name_en,
            year: *meta.year.get_ref(),
            version: meta.version,
            basis: meta.basis,
            unit_types,
            max_points,
            policy,
            nodes,
            areas,
            bonus,
            penalty,
            grading,
            disqualify,
            ranking,
        })
    } else {
        // Report in file order.
        v.diags.sort_by_key(|d| (d.line, d.column));
        Err(v.diags)
    }
}

/// The `[meta]` section: the unit types (keys, each once) and the maximum.
fn meta_of(v: &mut V, meta: &RawMeta) -> (Vec<String>, f64) {
    let mut unit_types: Vec<String> = Vec::new();
    if meta.unit_types.get_ref().is_empty() {
        v.err_hint(
            meta.unit_types.span(),
            msg::no_unit_types(),
            msg::unit_types_example(),
        );
    }
    for t in meta.unit_types.get_ref() {
        let k = text::key(t.get_ref());
        if unit_types.contains(&k) {
            v.err(t.span(), msg::unit_type_listed_twice(t.get_ref()));
        } else {
            unit_types.push(k);
        }
    }
    let max_points = *meta.max_points.get_ref();
    if max_points <= 0.0 {
        v.err(meta.max_points.span(), msg::max_points_must_be_positive());
    }
    (unit_types, max_points)
}

/// The `[policy]` section, with the format's defaults.
fn policy_of(v: &mut V, raw: Option<S<RawPolicy>>) -> Policy {
    let mut policy = Policy {
        missing: MissingPolicy::ZeroAndFlag,
        not_applicable: NaPolicy::Rebase,
        survey_absent: SurveyAbsent::Rescale,
        rates: Rates::Percent,
    };
    if let Some(p) = raw {
        let p = p.into_inner();
        if let Some(m) = &p.missing {
            policy.missing = v.choice(m, &words::MISSING).unwrap_or(policy.missing);
        }
        if let Some(m) = &p.not_applicable {
            policy.not_applicable = v
                .choice(m, &words::NOT_APPLICABLE)
                .unwrap_or(policy.not_applicable);
        }
        if let Some(m) = &p.survey_absent {
            policy.survey_absent = v
                .choice(m, &words::SURVEY_ABSENT)
                .unwrap_or(policy.survey_absent);
        }
        if let Some(m) = &p.rates {
            policy.rates = v.choice(m, &words::RATES).unwrap_or(policy.rates);
        }
    }
    policy
}

/// The `[[criterion]]` tree: ids checked and ordered numerically (pre-order), parents found,
/// each node's inherited policies and rule, maxima adding up; and the areas' total against the
/// declared maximum. Returns the nodes, the areas, and the ids (for item-id collisions).
#[allow(clippy::too_many_arguments)]
fn tree_of(
    v: &mut V,
    raw_nodes: Vec<S<RawNode>>,
    policy: &Policy,
    unit_types: &[String],
    max_points: f64,
    meta_span: &Range<usize>,
    max_points_raw: &S<f64>,
) -> (Vec<Node>, Vec<usize>, BTreeMap<Vec<u32>, usize>) {
    let src = v.src;
    // The tree: check ids, then order them numerically.
    let mut by_id: BTreeMap<Vec<u32>, usize> = BTreeMap::new();
    for (i, n) in raw_nodes.iter().enumerate() {
        let id = n.get_ref().id.get_ref();
        match parse_id(id) {
            None => v.err_hint(
                n.get_ref().id.span(),
                msg::criterion_id_not_dotted(id),
                msg::ids_look_like(),
            ),
            Some(parts) => {
                if let Some(&first) = by_id.get(&parts) {
                    let first_line = src.diag(raw_nodes[first].get_ref().id.span(), "").line;
                    v.err_hint(
                        n.get_ref().id.span(),
                        msg::criterion_id_used_twice(id),
                        msg::first_defined_on_line(first_line),
                    );
                } else {
                    by_id.insert(parts, i);
                }
            }
        }
    }
    // Orphans: every non-top id needs its parent.
    for (parts, &i) in &by_id {
        if parts.len() > 1 && !by_id.contains_key(&parts[..parts.len() - 1]) {
            let id = raw_nodes[i].get_ref().id.get_ref();
            let parent: Vec<String> = parts[..parts.len() - 1]
                .iter()
                .map(u32::to_string)
                .collect();
            v.err_hint(
                raw_nodes[i].get_ref().id.span(),
                msg::criterion_has_no_parent(id, parent.join(".")),
                msg::add_parent_or_fix_id(),
            );
        }
    }
    // Map raw index → model index in pre-order (BTreeMap order on numeric parts is pre-order).
    let order: Vec<usize> = by_id.values().copied().collect();
    let pos_of_raw: HashMap<usize, usize> =
        order.iter().enumerate().map(|(p, &r)| (r, p)).collect();
    let parent_of: Vec<Option<usize>> = by_id
        .keys()
        .map(|parts| {
            (parts.len() > 1)
                .then(|| by_id.get(&parts[..parts.len() - 1]).map(|r| pos_of_raw[r]))
                .flatten()
        })
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); order.len()];
    for (p, par) in parent_of.iter().enumerate() {
        if let Some(par) = par {
            children[*par].push(p);
        }
    }

    // Depths up front: `by_id.keys().nth(p)` inside the loop made validation quadratic.
    let depths: Vec<usize> = by_id.keys().map(Vec::len).collect();
    let mut nodes: Vec<Node> = Vec::with_capacity(order.len());
    for (p, &r) in order.iter().enumerate() {
        let rn = raw_nodes[r].get_ref();
        let parent = parent_of[p];
        let depth = depths[p];
        let inherited = parent.map(|q| &nodes[q]);
        let max = *rn.max.get_ref();
        if max <= 0.0 {
            v.err(
                rn.max.span(),
                msg::criterion_max_must_be_positive(rn.id.get_ref()),
            );
        }
        let survey = rn.survey.unwrap_or(false) || inherited.is_some_and(|n: &Node| n.survey);
        let missing = match &rn.missing {
            Some(m) => v.choice(m, &words::MISSING).unwrap_or(policy.missing),
            None => inherited.map_or(policy.missing, |n| n.missing),
        };
        let not_applicable = match &rn.not_applicable {
            Some(m) => v
                .choice(m, &words::NOT_APPLICABLE)
                .unwrap_or(policy.not_applicable),
            None => inherited.map_or(policy.not_applicable, |n| n.not_applicable),
        };
        let mut applies_to = inherited.and_then(|n| n.applies_to.clone());
        if let Some(list) = &rn.applies_to {
            let mut own = Vec::new();
            for t in list.get_ref() {
                let k = text::key(t.get_ref());
                if !unit_types.contains(&k) {
                    v.err_hint(
                        t.span(),
                        msg::unknown_unit_type(t.get_ref()),
                        msg::this_file_scores(unit_types.join(", ")),
                    );
                } else {
                    own.push(k);
                }
            }
            applies_to = Some(match applies_to {
                Some(outer) => own.into_iter().filter(|t| outer.contains(t)).collect(),
                None => own,
            });
        }
        let kind = if children[p].is_empty() {
            match &rn.rule {
                Some(rule) => match rule_of(v, rule, max, false) {
                    Some(r) => NodeKind::Leaf(r),
                    None => NodeKind::Group { children: vec![] },
                },
                None => {
                    v.err_hint(
                        rn.id.span(),
                        msg::leaf_without_rule(rn.id.get_ref()),
                        msg::give_it_a_rule(),
                    );
                    NodeKind::Group { children: vec![] }
                }
            }
        } else {
            if let Some(rule) = &rn.rule {
                v.err_hint(
                    rule.span(),
                    msg::group_with_rule(rn.id.get_ref()),
                    msg::move_rule_down(),
                );
            }
            let sum: f64 = children[p]
                .iter()
                .map(|&c| *raw_nodes[order[c]].get_ref().max.get_ref())
                .sum();
            if (sum - max).abs() > EPS {
                v.err_hint(
                    rn.max.span(),
                    msg::children_add_up_to(rn.id.get_ref(), fmt_num(sum), fmt_num(max)),
                    msg::parent_max_is_sum_of_children(),
                );
            }
            NodeKind::Group {
                children: children[p].clone(),
            }
        };
        nodes.push(Node {
            id: rn.id.get_ref().clone(),
            name: text::nfc(rn.name.get_ref()),
            name_en: rn.name_en.clone(),
            max,
            parent,
            depth,
            kind,
            survey,
            applies_to,
            not_applicable,
            missing,
            note: rn.note.clone(),
        });
    }
    let areas: Vec<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].parent.is_none() && nodes[i].depth == 1)
        .collect();
    if nodes.is_empty() {
        v.err_hint(meta_span.clone(), msg::no_criteria(), msg::add_areas());
    } else {
        let total: f64 = areas.iter().map(|&a| nodes[a].max).sum();
        if (total - max_points).abs() > EPS {
            v.err_hint(
                max_points_raw.span(),
                msg::areas_add_up_to(fmt_num(total), fmt_num(max_points)),
                msg::areas_must_add_up(),
            );
        }
    }
    (nodes, areas, by_id)
}

/// The `[bonus]` and `[penalty]` sections; item ids may not repeat a criterion's.
fn sections_of(
    v: &mut V,
    bonus: Option<S<RawSection>>,
    penalty: Option<S<RawSection>>,
    by_id: &BTreeMap<Vec<u32>, usize>,
) -> (Option<Section>, Option<Section>) {
    let mut item_ids: HashMap<String, Range<usize>> = HashMap::new();
    let mut section = |v: &mut V, s: Option<S<RawSection>>| -> Option<Section> {
        let s = s?.into_inner();
        if *s.cap.get_ref() < 0.0 {
            v.err(s.cap.span(), msg::cap_cannot_be_negative());
        }
        let mut items = Vec::new();
        for it in s.item {
            let it = it.into_inner();
            let id = it.id.get_ref().clone();
            if item_ids.contains_key(&id) || parse_id(&id).is_some_and(|p| by_id.contains_key(&p)) {
                v.err(it.id.span(), msg::id_used_twice(&id));
            }
            item_ids.insert(id.clone(), it.id.span());
            let max = *it.max.get_ref();
            if max <= 0.0 {
                v.err(it.max.span(), msg::item_max_must_be_positive(&id));
            }
            if let Some(rule) = rule_of(v, &it.rule, max, true) {
                items.push(Item {
                    id,
                    name: text::nfc(it.name.get_ref()),
                    name_en: it.name_en,
                    max,
                    rule,
                });
            }
        }
        Some(Section {
            name: s.name,
            name_en: s.name_en,
            cap: *s.cap.get_ref(),
            items,
        })
    };
    let bonus = section(v, bonus);
    let penalty = section(v, penalty);
    (bonus, penalty)
}

/// The `[[disqualify]]` conditions, each capping the grade at one of the bands.
fn disqualify_of(v: &mut V, raw: Vec<S<RawDisqualify>>, grading: &Grading) -> Vec<Disqualify> {
    let mut disqualify = Vec::new();
    for d in raw {
        let d = d.into_inner();
        // Ids are written into the `flags` column, whose items are `;`-separated `code:id`.
        let id = d.id.get_ref();
        if id.trim().is_empty() || id.contains([';', ':', '\n']) {
            v.err_hint(
                d.id.span(),
                msg::condition_id_not_valid(id),
                msg::condition_id_example(),
            );
        }
        let test = parse_when(v, &d.when);
        let cap = grading
            .bands
            .iter()
            .position(|b| text::key(&b.label) == text::key(d.cap_grade.get_ref()));
        if cap.is_none() {
            let labels: Vec<&str> = grading.bands.iter().map(|b| b.label.as_str()).collect();
            v.err_hint(
                d.cap_grade.span(),
                msg::not_a_grade_label(d.cap_grade.get_ref()),
                msg::grades_are(labels.join(", ")),
            );
        }
        if let (Some(test), Some(cap)) = (test, cap) {
            disqualify.push(Disqualify {
                id: d.id.get_ref().clone(),
                name: text::nfc(d.name.get_ref()),
                name_en: d.name_en,
                indicator: d.indicator.get_ref().trim().to_string(),
                captions: d.captions.clone().unwrap_or_default(),
                test,
                cap_grade: cap,
            });
        }
    }
    disqualify
}

/// The `[ranking]` section: scope, method, tolerance and the tie-break chain of node ids.
fn ranking_of(v: &mut V, raw: Option<S<RawRanking>>, nodes: &[Node]) -> Ranking {
    let mut ranking = Ranking {
        scope: Scope::UnitType,
        method: RankMethod::Competition,
        tie_tolerance: 1e-6,
        tie_break: vec![],
    };
    if let Some(r) = raw {
        let r = r.into_inner();
        if let Some(s) = &r.scope {
            ranking.scope = v.choice(s, &words::SCOPE).unwrap_or(ranking.scope);
        }
        if let Some(m) = &r.method {
            ranking.method = v.choice(m, &words::METHOD).unwrap_or(ranking.method);
        }
        if let Some(t) = &r.tie_tolerance {
            if *t.get_ref() < 0.0 {
                v.err(t.span(), msg::tie_tolerance_cannot_be_negative());
            } else {
                ranking.tie_tolerance = *t.get_ref();
            }
        }
        if let Some(list) = &r.tie_break {
            for id in list.get_ref() {
                match nodes.iter().position(|n| &n.id == id.get_ref()) {
                    Some(i) => ranking.tie_break.push(i),
                    None => v.err_hint(
                        id.span(),
                        msg::tie_break_not_a_criterion(id.get_ref()),
                        msg::tie_break_example(),
                    ),
                }
            }
        }
    }
    ranking
}

/// Which optional keys each rule kind takes (besides `kind` and `indicator`).
fn allowed_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "proportional" => &["allow_above_100"],
        "linear" => &[
            "zero_at",
            "full_at",
            "scale",
            "allow_above_100",
            "allow_negative",
        ],
        "bands" => &["bands", "scale", "allow_above_100", "allow_negative"],
        "category" => &["categories"],
        "relative" => &["direction", "scale", "allow_above_100", "allow_negative"],
        "deduction" => &["per", "floor"],
        "per_occurrence" => &["per"],
        _ => &[],
    }
}

fn rule_of(v: &mut V, rule: &S<RawRule>, max: f64, item: bool) -> Option<Rule> {
    let r = rule.get_ref();
    let kind = r.kind.get_ref().as_str();
    if !RULE_KINDS.contains(&kind) {
        let hint = match text::closest(kind, RULE_KINDS) {
            Some(c) => msg::did_you_mean_rule_kinds(c, RULE_KINDS.join(", ")),
            None => msg::rule_kinds_are(RULE_KINDS.join(", ")),
        };
        v.err_hint(r.kind.span(), msg::unknown_rule_kind(kind), hint);
        return None;
    }
    if item && kind == "deduction" {
        v.err_hint(
            r.kind.span(),
            msg::items_cannot_use_deduction(),
            msg::use_per_occurrence(),
        );
    }
    // Keys present that this kind does not take.
    let present: [(&str, Option<Range<usize>>); 10] = [
        ("scale", r.scale.as_ref().map(S::span)),
        ("zero_at", r.zero_at.as_ref().map(S::span)),
        ("full_at", r.full_at.as_ref().map(S::span)),
        ("bands", r.bands.as_ref().map(S::span)),
        ("categories", r.categories.as_ref().map(S::span)),
        ("direction", r.direction.as_ref().map(S::span)),
        ("per", r.per.as_ref().map(S::span)),
        ("floor", r.floor.as_ref().map(S::span)),
        ("allow_above_100", r.allow_above_100.as_ref().map(S::span)),
        ("allow_negative", r.allow_negative.as_ref().map(S::span)),
    ];
    let allowed = allowed_keys(kind);
    let mut ok = true;
    for (key, span) in present {
        if let Some(span) = span {
            if !allowed.contains(&key) {
                ok = false;
                let hint = if allowed.is_empty() {
                    msg::kind_takes_only_indicator(kind)
                } else {
                    msg::kind_takes_keys(kind, allowed.join(", "))
                };
                v.err_hint(span, msg::key_not_for_kind(key, kind), hint);
            }
        }
    }
    let indicator = match &r.indicator {
        Some(i) if !i.get_ref().trim().is_empty() => i.get_ref().trim().to_string(),
        Some(i) => {
            v.err(i.span(), msg::indicator_name_empty());
            return None;
        }
        None => {
            v.err_hint(
                rule.span(),
                msg::rule_names_no_indicator(kind),
                msg::add_indicator(),
            );
            return None;
        }
    };
    let need = |v: &mut V, x: &Option<S<f64>>, key: &str| -> Option<f64> {
        match x {
            Some(x) => Some(*x.get_ref()),
            None => {
                v.err(rule.span(), msg::rule_needs_key(kind, key));
                None
            }
        }
    };
    let scale_default = match kind {
        "proportional" | "linear" => Scale::Percent,
        "appraised" => Scale::Points,
        "yes_no" | "category" => Scale::Word,
        _ => Scale::Number,
    };
    let scale = match &r.scale {
        Some(s) => v.choice(s, &words::SCALE).unwrap_or(scale_default),
        None => scale_default,
    };
    let allow_above_100 = r.allow_above_100.as_ref().is_some_and(|b| *b.get_ref());
    let allow_negative = r.allow_negative.as_ref().is_some_and(|b| *b.get_ref());
    let in_range = |x: f64| {
        (allow_negative || x >= 0.0) && (scale != Scale::Percent || allow_above_100 || x <= 100.0)
    };
    let kind_model = match kind {
        "proportional" => RuleKind::Proportional,
        "linear" => {
            let (z, f) = (
                need(v, &r.zero_at, "zero_at")?,
                need(v, &r.full_at, "full_at")?,
            );
            if (z - f).abs() < EPS {
                v.err_hint(
                    r.full_at.as_ref().map_or(rule.span(), S::span),
                    msg::zero_at_equals_full_at(),
                    msg::use_bands_for_one_threshold(),
                );
            }
            for (x, key) in [(&r.zero_at, "zero_at"), (&r.full_at, "full_at")] {
                if let Some(x) = x {
                    if !in_range(*x.get_ref()) {
                        v.err(
                            x.span(),
                            msg::value_outside_rule(key, fmt_num(*x.get_ref())),
                        );
                    }
                }
            }
            RuleKind::Linear {
                zero_at: z,
                full_at: f,
            }
        }
        "bands" => {
            let Some(bands) = &r.bands else {
                v.err(rule.span(), msg::bands_rule_needs_bands());
                return None;
            };
            RuleKind::Bands(bands_of(v, bands, Some(max), &msg::band_noun())?)
        }
        "yes_no" | "appraised" => {
            if kind == "yes_no" {
                RuleKind::YesNo
            } else {
                RuleKind::Appraised
            }
        }
        "category" => {
            let Some(cats) = &r.categories else {
                v.err_hint(
                    rule.span(),
                    msg::category_rule_needs_categories(),
                    msg::categories_example(),
                );
                return None;
            };
            let mut out: Vec<Category> = Vec::new();
            for (word, pts) in cats.get_ref() {
                let p = *pts.get_ref();
                if !(0.0..=max + EPS).contains(&p) {
                    v.err(
                        pts.span(),
                        msg::category_points_outside(fmt_num(p), fmt_num(max)),
                    );
                }
                let k = text::key(word);
                if out.iter().any(|c| c.key == k) {
                    v.err(pts.span(), msg::category_listed_twice(word));
                }
                out.push(Category {
                    key: k,
                    written: text::nfc(word),
                    points: p,
                });
            }
            if out.is_empty() {
                v.err(cats.span(), msg::category_list_empty());
            }
            RuleKind::Category(out)
        }
        "relative" => {
            let lower_better = match &r.direction {
                Some(d) => v.choice(d, &words::DIRECTION).unwrap_or(false),
                None => false,
            };
            RuleKind::Relative { lower_better }
        }
        "deduction" => {
            let per = need(v, &r.per, "per")?;
            let floor = r.floor.as_ref().map_or(0.0, |f| *f.get_ref());
            if per <= 0.0 {
                v.err(
                    r.per.as_ref().map_or(rule.span(), S::span),
                    msg::per_must_be_above_zero(),
                );
            }
            if let Some(f) = &r.floor {
                if !(0.0..=max).contains(f.get_ref()) {
                    v.err(f.span(), msg::floor_outside_range(fmt_num(max)));
                }
            }
            RuleKind::Deduction { per, floor }
        }
        "per_occurrence" => {
            let per = need(v, &r.per, "per")?;
            if per <= 0.0 {
                v.err(
                    r.per.as_ref().map_or(rule.span(), S::span),
                    msg::per_must_be_above_zero(),
                );
            }
            RuleKind::PerOccurrence { per }
        }
        _ => unreachable!("kind checked against RULE_KINDS"),
    };
    ok.then_some(Rule {
        indicator,
        captions: r.captions.clone().unwrap_or_default(),
        kind: kind_model,
        scale,
        allow_above_100,
        allow_negative,
    })
}

/// Ordered bands, best (highest `min`) first. `points_max`: for rule bands, the leaf's max;
/// `None` for grade bands. Returns `None` when any band is malformed.
fn bands_of(
    v: &mut V,
    bands: &S<Vec<S<RawBand>>>,
    points_max: Option<f64>,
    what: &str,
) -> Option<Vec<Band>> {
    let list = bands.get_ref();
    if list.is_empty() {
        v.err(bands.span(), msg::list_is_empty(what));
        return None;
    }
    let before = v.diags.len();
    let mut out = Vec::new();
    for (i, b) in list.iter().enumerate() {
        let b = b.get_ref();
        check_band_order(
            v,
            i,
            list.len(),
            b.min.as_ref(),
            b.max.as_ref(),
            list.get(i.wrapping_sub(1))
                .and_then(|p| p.get_ref().min.as_ref()),
            what,
        );
        if let Some(pm) = points_max {
            let p = *b.points.get_ref();
            if !(0.0..=pm + EPS).contains(&p) {
                v.err(
                    b.points.span(),
                    msg::points_outside_range(what, fmt_num(p), fmt_num(pm)),
                );
            }
        }
        out.push(Band {
            min: b.min.as_ref().map(|m| *m.get_ref()),
            max: b.max.as_ref().map(|m| *m.get_ref()),
            points: *b.points.get_ref(),
        });
    }
    (v.diags.len() == before).then_some(out)
}

/// The shared ordering rules of rule bands and grade bands: best first, `min` strictly
/// decreasing, only the last may omit `min`, and a `max` must meet the previous band's `min`.
#[allow(clippy::too_many_arguments)]
fn check_band_order(
    v: &mut V,
    i: usize,
    len: usize,
    min: Option<&S<f64>>,
    max: Option<&S<f64>>,
    prev_min: Option<&S<f64>>,
    what: &str,
) {
    if min.is_none() && i + 1 < len {
        v.err_hint(
            max.map_or(0..0, S::span),
            msg::open_min_before_last(what, i + 1),
            msg::bands_from_highest_down(),
        );
    }
    if let (Some(min), Some(max)) = (min, max) {
        if max.get_ref() <= min.get_ref() {
            v.err(max.span(), msg::max_must_above_min(what, i + 1));
        }
    }
    if i == 0 {
        return;
    }
    if let (Some(m), Some(p)) = (min, prev_min) {
        if m.get_ref() >= p.get_ref() {
            v.err_hint(
                m.span(),
                msg::out_of_order(what, i + 1, fmt_num(*m.get_ref()), fmt_num(*p.get_ref())),
                msg::list_from_highest_down(what),
            );
            return;
        }
    }
    if let (Some(mx), Some(p)) = (max, prev_min) {
        let (mx_v, p_v) = (*mx.get_ref(), *p.get_ref());
        if mx_v > p_v + EPS {
            v.err_hint(
                mx.span(),
                msg::overlap(what, i + 1, fmt_num(mx_v), fmt_num(p_v)),
                msg::set_max_leave_max_out(fmt_num(p_v)),
            );
        } else if mx_v < p_v - EPS {
            v.err_hint(
                mx.span(),
                msg::gap_between(what, fmt_num(mx_v), fmt_num(p_v)),
                msg::set_max_leave_max_out(fmt_num(p_v)),
            );
        }
    }
}

fn grading_of(v: &mut V, g: S<RawGrading>) -> Grading {
    let span = g.span();
    let g = g.into_inner();
    let basis = match &g.basis {
        Some(b) => v
            .choice(b, &words::BASIS)
            .unwrap_or(GradeBasis::RoundedIndex),
        None => GradeBasis::RoundedIndex,
    };
    if g.band.is_empty() {
        v.err_hint(span, msg::no_grade_bands(), msg::add_grade_bands());
        return Grading {
            basis,
            bands: vec![],
        };
    }
    let mut bands: Vec<GradeBand> = Vec::new();
    for (i, b) in g.band.iter().enumerate() {
        let b = b.get_ref();
        let prev_min = i
            .checked_sub(1)
            .and_then(|p| g.band[p].get_ref().min.as_ref());
        check_band_order(
            v,
            i,
            g.band.len(),
            b.min.as_ref(),
            b.max.as_ref(),
            prev_min,
            &msg::grade_band_noun(),
        );
        if i == 0 {
            if let Some(mx) = &b.max {
                if *mx.get_ref() < 100.0 {
                    v.err_hint(
                        mx.span(),
                        msg::grade_gap_at_top(fmt_num(*mx.get_ref())),
                        msg::leave_max_out_best_band(),
                    );
                }
            }
        }
        if i + 1 == g.band.len() {
            if let Some(m) = &b.min {
                if *m.get_ref() > 0.0 {
                    v.err_hint(
                        m.span(),
                        msg::grade_gap_at_bottom(fmt_num(*m.get_ref())),
                        msg::leave_min_out_lowest_band(),
                    );
                }
            }
        }
        let label = text::nfc(b.label.get_ref());
        if bands
            .iter()
            .any(|x| text::key(&x.label) == text::key(&label))
        {
            v.err(b.label.span(), msg::grade_listed_twice(&label));
        }
        let color = b.color.as_ref().and_then(|c| {
            let s = c.get_ref().trim_start_matches('#');
            let parsed = (s.len() == 6)
                .then(|| u32::from_str_radix(s, 16).ok())
                .flatten();
            if parsed.is_none() {
                v.err_hint(
                    c.span(),
                    msg::not_colour(c.get_ref()),
                    msg::write_colours_rrggbb(),
                );
            }
            parsed
        });
        bands.push(GradeBand {
            label,
            label_en: b.label_en.clone(),
            min: b.min.as_ref().map(|m| *m.get_ref()),
            color,
        });
    }
    Grading { basis, bands }
}

fn parse_when(v: &mut V, when: &S<String>) -> Option<Test> {
    let w = text::key(when.get_ref());
    if text::yes_no(&w) == Some(true) {
        return Some(Test::Yes);
    }
    let ops = [
        (">=", CmpOp::Ge),
        ("<=", CmpOp::Le),
        ("!=", CmpOp::Ne),
        ("==", CmpOp::Eq),
        (">", CmpOp::Gt),
        ("<", CmpOp::Lt),
    ];
    for (sym, op) in ops {
        if let Some(rest) = w.strip_prefix(sym) {
            // `nan` and `inf` parse as numbers, but a comparison with NaN is never true.
            if let Ok(x) = rest.trim().parse::<f64>().map_err(drop).and_then(|x| {
                if x.is_finite() {
                    Ok(x)
                } else {
                    Err(())
                }
            }) {
                return Some(Test::Cmp(op, x));
            }
        }
    }
    v.err_hint(
        when.span(),
        msg::cannot_read_condition(when.get_ref()),
        msg::condition_example(),
    );
    None
}
