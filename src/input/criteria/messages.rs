//! Every message about a criteria file — what `check` and every command that loads criteria say
//! when the file cannot be read or breaks a rule of the format, and the hint that goes with it —
//! in Vietnamese and English, side by side in one place, so a translation is reviewed (and a
//! message reworded) here and nowhere else. Each function gives the text in the run's language
//! (`i18n::current`); the validator decides when to say it and where (line and column).

use std::fmt::Display;

use crate::tr;

// Reading the file.

/// The kinds of configuration file parindex reads, as messages name them.
#[derive(Debug, Clone, Copy)]
pub enum ConfigKind {
    Criteria,
    RunFile,
    AwardRules,
    ColumnMap,
    DeriveMapping,
}

impl ConfigKind {
    fn words(self) -> String {
        let (vi, en) = match self {
            ConfigKind::Criteria => ("tệp tiêu chí", "the criteria file"),
            ConfigKind::RunFile => ("tệp lần chạy", "the run file"),
            ConfigKind::AwardRules => ("tệp quy định khen thưởng", "the award rules file"),
            ConfigKind::ColumnMap => ("tệp ánh xạ cột", "the column map"),
            ConfigKind::DeriveMapping => ("tệp ánh xạ hồ sơ", "the records mapping file"),
        };
        crate::support::i18n::current().pick(vi, en).to_string()
    }
}

pub fn cannot_read_config(kind: ConfigKind, e: impl Display, path: impl Display) -> String {
    let what = kind.words();
    tr!(
        "không đọc được {what} {}: {e}",
        "cannot read {what} {}: {e}",
        path
    )
}

pub fn config_not_utf8(kind: ConfigKind, at: impl Display, valid_up_to: impl Display) -> String {
    let what = kind.words();
    tr!(
        "{at}: {what} không phải UTF-8 (byte {}); hãy lưu lại dạng UTF-8",
        "{at}: {what} is not UTF-8 (byte {}); save it as UTF-8",
        valid_up_to
    )
}

pub fn unknown_key(key: impl Display, table: &str) -> String {
    if table.is_empty() {
        tr!("không có khóa `{key}`", "unknown key `{key}`")
    } else {
        tr!(
            "không có khóa `{key}` trong [{table}]",
            "unknown key `{key}` in [{table}]"
        )
    }
}

pub fn allowed_keys(closest: Option<&str>, allowed: &[&str]) -> String {
    let list = allowed.join(", ");
    match closest {
        Some(c) => tr!(
            "có phải ý bạn là `{c}`? Các khóa ở đây: {list}",
            "did you mean `{c}`? Keys here: {list}"
        ),
        None => tr!("các khóa ở đây: {list}", "keys here: {list}"),
    }
}

/// A TOML reader's message (toml and serde write English: "invalid type: integer `15`, expected a
/// string", "duplicate key", "missing field `results`") in the run's language; a message of
/// another shape is kept as written. Every TOML file parindex reads (criteria, run file, award
/// rules, column map, derive mapping) says its type errors through here.
pub fn toml_error(message: &str) -> String {
    let m = message.trim();
    if crate::support::i18n::current() == crate::support::i18n::Lang::En {
        return m.to_string();
    }
    // The kinds of value serde names, found and expected.
    fn kind(s: &str) -> String {
        let s = s.trim();
        let words: &[(&str, &str)] = &[
            ("a sequence", "một danh sách"),
            ("sequence", "danh sách"),
            ("a string", "một chuỗi"),
            ("string", "chuỗi"),
            ("a map", "một bảng"),
            ("map", "bảng"),
            ("integer", "số nguyên"),
            ("i64", "số nguyên"),
            ("u32", "số nguyên không âm"),
            ("u64", "số nguyên không âm"),
            ("usize", "số nguyên không âm"),
            ("a boolean", "giá trị đúng/sai (true/false)"),
            ("boolean", "giá trị đúng/sai"),
            ("floating point", "số"),
            ("f64", "số"),
        ];
        for (en, vi) in words {
            if let Some(rest) = s.strip_prefix(en) {
                return format!("{vi}{rest}");
            }
        }
        s.to_string()
    }
    if let Some(rest) = m.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            return format!(
                "kiểu giá trị không đúng: {}, cần {}",
                kind(found),
                kind(expected)
            );
        }
    }
    if let Some(rest) = m.strip_prefix("invalid value: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            return format!(
                "giá trị không hợp lệ: {}, cần {}",
                kind(found),
                kind(expected)
            );
        }
    }
    if let Some(field) = m.strip_prefix("missing field ") {
        return format!("thiếu khóa {field}");
    }
    if m == "duplicate key" {
        return "khóa bị viết hai lần".to_string();
    }
    m.to_string()
}

pub fn check_key_spelling() -> String {
    tr!(
        "kiểm tra chính tả; docs/criteria-format.md liệt kê mọi khóa",
        "check the spelling; docs/criteria-format.md lists every key"
    )
}

pub fn see_format_docs() -> String {
    tr!(
        "xem định dạng trong docs/criteria-format.md",
        "see docs/criteria-format.md for the format"
    )
}

pub fn not_finite_number(f: impl Display) -> String {
    tr!(
        "`{}` không phải là một số hữu hạn",
        "`{}` is not a finite number",
        f
    )
}

pub fn numbers_must_be_real() -> String {
    tr!(
        "điểm, ngưỡng và mức phải là số thực, ví dụ 2 hoặc 0.5",
        "points, thresholds and bounds must be real numbers such as 2 or 0.5"
    )
}

// Validating it, in the order the validator checks.

pub fn did_you_mean_allowed(c: impl Display, words: impl Display) -> String {
    tr!(
        "có phải ý bạn là `{c}`? Được phép: {}",
        "did you mean `{c}`? Allowed: {}",
        words
    )
}

pub fn allowed_words(words: impl Display) -> String {
    tr!("được phép: {}", "allowed: {}", words)
}

pub fn unknown_word(what: impl Display, v: impl Display) -> String {
    tr!("{what} không hợp lệ: `{}`", "unknown {what} `{}`", v)
}

pub fn no_grade_bands_in_set() -> String {
    tr!(
        "bộ tiêu chí chưa có mức xếp loại nào",
        "the criteria set has no grade bands"
    )
}

pub fn add_grade_bands_example() -> String {
    tr!(
        "thêm các bảng [[grading.band]], mức cao nhất trước, ví dụ label = \"Xuất sắc\", min = 90",
        "add [[grading.band]] tables, best first, e.g. label = \"Xuất sắc\", min = 90"
    )
}

pub fn no_unit_types() -> String {
    tr!(
        "bộ tiêu chí không chấm loại đơn vị nào",
        "the criteria set scores no unit type"
    )
}

pub fn unit_types_example() -> String {
    tr!(
        "liệt kê các loại đơn vị được chấm, ví dụ unit_types = [\"xã\", \"phường\", \"đặc khu\"]",
        "list the unit types it applies to, e.g. unit_types = [\"xã\", \"phường\", \"đặc khu\"]"
    )
}

pub fn unit_type_listed_twice(t: impl Display) -> String {
    tr!(
        "loại đơn vị `{}` được liệt kê hai lần",
        "unit type `{}` is listed twice",
        t
    )
}

pub fn max_points_must_be_positive() -> String {
    tr!(
        "max_points phải lớn hơn 0",
        "max_points must be greater than 0"
    )
}

pub fn criterion_id_not_dotted(id: impl Display) -> String {
    tr!(
        "mã tiêu chí `{id}` không phải dạng số có dấu chấm",
        "criterion id `{id}` is not a dotted number"
    )
}

pub fn ids_look_like() -> String {
    tr!(
        "mã tiêu chí có dạng `1`, `1.1`, `1.1.2`",
        "ids look like `1`, `1.1`, `1.1.2`"
    )
}

pub fn criterion_id_used_twice(id: impl Display) -> String {
    tr!(
        "mã tiêu chí `{id}` bị dùng hai lần",
        "criterion id `{id}` is used twice"
    )
}

pub fn first_defined_on_line(first_line: impl Display) -> String {
    tr!(
        "mã này đã được khai báo ở dòng {first_line}",
        "it was first defined on line {first_line}"
    )
}

pub fn criterion_has_no_parent(id: impl Display, parent: impl Display) -> String {
    tr!(
        "tiêu chí `{id}` không có tiêu chí cha: không có tiêu chí `{}`",
        "criterion `{id}` has no parent: there is no criterion `{}`",
        parent
    )
}

pub fn add_parent_or_fix_id() -> String {
    tr!(
        "thêm tiêu chí cha hoặc sửa lại mã",
        "add the parent criterion or correct the id"
    )
}

pub fn criterion_max_must_be_positive(id: impl Display) -> String {
    tr!(
        "điểm tối đa của tiêu chí `{}` phải lớn hơn 0",
        "criterion `{}` must have a max above 0",
        id
    )
}

pub fn unknown_unit_type(t: impl Display) -> String {
    tr!(
        "loại đơn vị không có trong bộ tiêu chí: `{}`",
        "unknown unit type `{}`",
        t
    )
}

pub fn this_file_scores(unit_types: impl Display) -> String {
    tr!("tệp này chấm: {}", "this file scores: {}", unit_types)
}

pub fn leaf_without_rule(id: impl Display) -> String {
    tr!(
        "tiêu chí `{}` không có tiêu chí con và không có cách tính điểm (rule)",
        "criterion `{}` has no sub-criteria and no rule",
        id
    )
}

pub fn give_it_a_rule() -> String {
    tr!(
        "thêm cách tính điểm, ví dụ rule = {{ kind = \"yes_no\", indicator = \"...\" }}",
        "give it a rule, e.g. rule = {{ kind = \"yes_no\", indicator = \"...\" }}"
    )
}

pub fn group_with_rule(id: impl Display) -> String {
    tr!(
        "tiêu chí `{}` có tiêu chí con nên không được có cách tính điểm riêng",
        "criterion `{}` has sub-criteria, so it cannot have a rule",
        id
    )
}

pub fn move_rule_down() -> String {
    tr!(
        "điểm của nó là tổng điểm các tiêu chí con; hãy chuyển cách tính điểm xuống tiêu chí con",
        "its points are the sum of its sub-criteria; move the rule to a sub-criterion"
    )
}

pub fn children_add_up_to(id: impl Display, sum: impl Display, max: impl Display) -> String {
    tr!(
        "tổng điểm tối đa các tiêu chí con của `{}` là {}, nhưng điểm tối đa của nó là {}",
        "the sub-criteria of `{}` add up to {}, but its max is {}",
        id,
        sum,
        max
    )
}

pub fn parent_max_is_sum_of_children() -> String {
    tr!(
        "điểm tối đa của tiêu chí cha phải bằng tổng điểm tối đa các tiêu chí con",
        "a parent's max must equal the sum of its children's"
    )
}

pub fn no_criteria() -> String {
    tr!(
        "bộ tiêu chí chưa có tiêu chí nào",
        "the criteria set has no criteria"
    )
}

pub fn add_areas() -> String {
    tr!(
        "thêm các lĩnh vực bằng các bảng [[criterion]]",
        "add areas with [[criterion]] tables"
    )
}

pub fn areas_add_up_to(total: impl Display, max_points: impl Display) -> String {
    tr!(
        "tổng điểm các lĩnh vực là {}, nhưng max_points là {}",
        "the areas add up to {}, but max_points is {}",
        total,
        max_points
    )
}

pub fn areas_must_add_up() -> String {
    tr!(
        "tổng điểm tối đa các lĩnh vực phải bằng điểm tối đa đã khai báo",
        "the areas' maxima must add up to the declared maximum"
    )
}

pub fn cap_cannot_be_negative() -> String {
    tr!("mức trần không được âm", "a cap cannot be negative")
}

pub fn id_used_twice(id: impl Display) -> String {
    tr!("mã `{id}` bị dùng hai lần", "id `{id}` is used twice")
}

pub fn item_max_must_be_positive(id: impl Display) -> String {
    tr!(
        "điểm tối đa của mục `{id}` phải lớn hơn 0",
        "item `{id}` must have a max above 0"
    )
}

pub fn condition_id_not_valid(id: impl Display) -> String {
    tr!(
        "mã điều kiện `{id}` không hợp lệ",
        "the condition id `{id}` is not valid"
    )
}

pub fn condition_id_example() -> String {
    tr!(
        "dùng mã ngắn không có dấu `;` hay `:`, ví dụ \"K1\"",
        "use a short id without `;` or `:`, e.g. \"K1\""
    )
}

pub fn not_a_grade_label(cap_grade: impl Display) -> String {
    tr!(
        "`{}` không phải là một mức xếp loại",
        "`{}` is not one of the grade labels",
        cap_grade
    )
}

pub fn grades_are(labels: impl Display) -> String {
    tr!("các mức xếp loại: {}", "grades: {}", labels)
}

pub fn tie_tolerance_cannot_be_negative() -> String {
    tr!(
        "tie_tolerance không được âm",
        "tie_tolerance cannot be negative"
    )
}

pub fn tie_break_not_a_criterion(id: impl Display) -> String {
    tr!(
        "tie_break nêu `{}`, không phải mã tiêu chí",
        "tie_break names `{}`, which is not a criterion id",
        id
    )
}

pub fn tie_break_example() -> String {
    tr!(
        "nêu lĩnh vực hoặc tiêu chí theo mã, ví dụ tie_break = [\"3\", \"7\"]",
        "name areas or criteria by id, e.g. tie_break = [\"3\", \"7\"]"
    )
}

pub fn did_you_mean_rule_kinds(c: impl Display, rule_kinds: impl Display) -> String {
    tr!(
        "có phải ý bạn là `{c}`? Các loại cách tính điểm: {}",
        "did you mean `{c}`? Rule kinds: {}",
        rule_kinds
    )
}

pub fn rule_kinds_are(rule_kinds: impl Display) -> String {
    tr!("các loại cách tính điểm: {}", "rule kinds: {}", rule_kinds)
}

pub fn unknown_rule_kind(kind: impl Display) -> String {
    tr!(
        "loại cách tính điểm không hợp lệ: `{kind}`",
        "unknown rule kind `{kind}`"
    )
}

pub fn items_cannot_use_deduction() -> String {
    tr!(
        "mục điểm thưởng, điểm trừ không dùng được `deduction`",
        "bonus and penalty items cannot use `deduction`"
    )
}

pub fn use_per_occurrence() -> String {
    tr!(
        "dùng `per_occurrence` (điểm = số trường hợp × per, không quá điểm tối đa của mục)",
        "use `per_occurrence` (points = count × per, up to the item's max)"
    )
}

pub fn kind_takes_only_indicator(kind: impl Display) -> String {
    tr!(
        "`{kind}` chỉ nhận `indicator`",
        "`{kind}` takes only `indicator`"
    )
}

pub fn kind_takes_keys(kind: impl Display, allowed: impl Display) -> String {
    tr!(
        "`{kind}` nhận: indicator, {}",
        "`{kind}` takes: indicator, {}",
        allowed
    )
}

pub fn key_not_for_kind(key: impl Display, kind: impl Display) -> String {
    tr!(
        "khóa `{key}` không dùng cho loại cách tính điểm `{kind}`",
        "key `{key}` does not apply to rule kind `{kind}`"
    )
}

pub fn indicator_name_empty() -> String {
    tr!("tên chỉ số bị trống", "the indicator name is empty")
}

pub fn rule_names_no_indicator(kind: impl Display) -> String {
    tr!(
        "cách tính điểm `{kind}` chưa nêu chỉ số (indicator)",
        "the `{kind}` rule names no indicator"
    )
}

pub fn add_indicator() -> String {
    tr!(
        "thêm indicator = \"<tên cột trong bảng dữ liệu>\"",
        "add indicator = \"<column name in the data tables>\""
    )
}

pub fn rule_needs_key(kind: impl Display, key: impl Display) -> String {
    tr!(
        "cách tính điểm `{kind}` cần `{key}`",
        "the `{kind}` rule needs `{key}`"
    )
}

pub fn zero_at_equals_full_at() -> String {
    tr!(
        "zero_at và full_at bằng nhau",
        "zero_at and full_at are equal"
    )
}

pub fn use_bands_for_one_threshold() -> String {
    tr!(
        "dùng `bands` cho một ngưỡng duy nhất",
        "use `bands` for a single threshold"
    )
}

pub fn value_outside_rule(key: impl Display, x: impl Display) -> String {
    tr!(
        "{key} = {} nằm ngoài khoảng giá trị cách tính điểm này chấp nhận",
        "{key} = {} is outside the values this rule accepts",
        x
    )
}

pub fn bands_rule_needs_bands() -> String {
    tr!(
        "cách tính `bands` cần `bands`",
        "the `bands` rule needs `bands`"
    )
}

pub fn band_noun() -> String {
    tr!("bậc", "band")
}

pub fn category_rule_needs_categories() -> String {
    tr!(
        "cách tính `category` cần `categories`",
        "the `category` rule needs `categories`"
    )
}

pub fn categories_example() -> String {
    tr!(
        "ví dụ categories = {{ \"toàn trình\" = 2, \"một phần\" = 1 }}",
        "e.g. categories = {{ \"toàn trình\" = 2, \"một phần\" = 1 }}"
    )
}

pub fn category_points_outside(p: impl Display, max: impl Display) -> String {
    tr!(
        "điểm phân loại {} nằm ngoài khoảng 0..{}",
        "category points {} are outside 0..{}",
        p,
        max
    )
}

pub fn category_listed_twice(word: impl Display) -> String {
    tr!(
        "phân loại `{word}` được liệt kê hai lần",
        "category `{word}` is listed twice"
    )
}

pub fn category_list_empty() -> String {
    tr!(
        "danh sách giá trị (categories) bị trống",
        "the category list is empty"
    )
}

pub fn per_must_be_above_zero() -> String {
    tr!("`per` phải lớn hơn 0", "`per` must be above 0")
}

pub fn floor_outside_range(max: impl Display) -> String {
    tr!(
        "floor phải nằm trong khoảng từ 0 đến điểm tối đa ({})",
        "floor must lie between 0 and the max ({})",
        max
    )
}

pub fn list_is_empty(what: impl Display) -> String {
    tr!("danh sách {what} bị trống", "the {what} list is empty")
}

pub fn points_outside_range(what: impl Display, p: impl Display, pm: impl Display) -> String {
    tr!(
        "điểm của {what} là {}, nằm ngoài khoảng 0..{}",
        "{what} points {} are outside 0..{}",
        p,
        pm
    )
}

pub fn open_min_before_last(what: impl Display, i: impl Display) -> String {
    tr!(
        "{what} {} không có `min`, nhưng chỉ {what} cuối cùng được bỏ trống",
        "{what} {} has no `min`, but only the last {what} may leave it open",
        i
    )
}

pub fn bands_from_highest_down() -> String {
    tr!(
        "liệt kê từ mức cao nhất xuống; mọi mức trừ mức cuối đều cần `min`",
        "list bands from the highest down; give every band but the last a `min`"
    )
}

pub fn max_must_above_min(what: impl Display, i: impl Display) -> String {
    tr!(
        "{what} {}: max phải lớn hơn min",
        "{what} {}: max must be above min",
        i
    )
}

pub fn out_of_order(
    what: impl Display,
    i: impl Display,
    m: impl Display,
    p: impl Display,
) -> String {
    tr!(
        "các {what} sai thứ tự: {what} {} bắt đầu từ {}, không thấp hơn mức trước nó ({})",
        "{what}s are out of order: {what} {} starts at {}, not below the one before it ({})",
        i,
        m,
        p
    )
}

pub fn list_from_highest_down(what: impl Display) -> String {
    tr!(
        "liệt kê các {what} từ cao xuống thấp",
        "list {what}s from the highest down"
    )
}

pub fn overlap(
    what: impl Display,
    i: impl Display,
    mx_v: impl Display,
    p_v: impl Display,
) -> String {
    tr!(
        "các {what} chồng lấn: {what} {} kéo dài tới {}, vượt điểm bắt đầu của mức trên nó ({})",
        "{what}s overlap: {what} {} runs up to {}, past the start of the one above it ({})",
        i,
        mx_v,
        p_v
    )
}

pub fn set_max_leave_max_out(p_v: impl Display) -> String {
    tr!(
        "đặt max = {} hoặc bỏ max",
        "set max = {} or leave max out",
        p_v
    )
}

pub fn gap_between(what: impl Display, mx_v: impl Display, p_v: impl Display) -> String {
    tr!(
        "các {what} bị hở: giá trị từ {} đến dưới {} không thuộc {what} nào",
        "gap between {what}s: values from {} up to {} fall in no {what}",
        mx_v,
        p_v
    )
}

pub fn no_grade_bands() -> String {
    tr!("chưa có mức xếp loại nào", "no grade bands")
}

pub fn add_grade_bands() -> String {
    tr!(
        "thêm các bảng [[grading.band]], mức cao nhất trước",
        "add [[grading.band]] tables, best first"
    )
}

pub fn grade_band_noun() -> String {
    tr!("mức xếp loại", "grade band")
}

pub fn grade_gap_at_top(mx: impl Display) -> String {
    tr!(
        "thang xếp loại bị hở: chỉ số từ {} đến 100 không có mức xếp loại",
        "gap between grade bands: an index from {} up to 100 gets no grade",
        mx
    )
}

pub fn leave_max_out_best_band() -> String {
    tr!("bỏ max ở mức cao nhất", "leave max out of the best band")
}

pub fn grade_gap_at_bottom(m: impl Display) -> String {
    tr!(
        "thang xếp loại bị hở: chỉ số dưới {} không có mức xếp loại",
        "gap between grade bands: an index below {} gets no grade",
        m
    )
}

pub fn leave_min_out_lowest_band() -> String {
    tr!(
        "bỏ min ở mức thấp nhất để bao trùm mọi giá trị bên dưới",
        "leave min out of the lowest band so it covers everything below"
    )
}

pub fn grade_listed_twice(label: impl Display) -> String {
    tr!(
        "mức xếp loại `{label}` được liệt kê hai lần",
        "grade `{label}` is listed twice"
    )
}

pub fn not_colour(c: impl Display) -> String {
    tr!("`{}` không phải là mã màu", "`{}` is not a colour", c)
}

pub fn write_colours_rrggbb() -> String {
    tr!("viết màu dạng \"#RRGGBB\"", "write colours as \"#RRGGBB\"")
}

pub fn cannot_read_condition(when: impl Display) -> String {
    tr!(
        "không hiểu điều kiện `{}`",
        "cannot read the condition `{}`",
        when
    )
}

pub fn condition_example() -> String {
    tr!(
        "viết \"yes\" (chỉ số ghi có/x/1) hoặc một phép so sánh như \">= 1\"",
        "write \"yes\" (the indicator says có/x/1) or a comparison such as \">= 1\""
    )
}

#[cfg(test)]
mod tests {
    /// The guard of "one module": reading and validating a criteria file write no message of
    /// their own.
    #[test]
    fn the_reader_and_the_validator_write_no_message_of_their_own() {
        for (name, src) in [
            ("criteria/mod.rs", include_str!("mod.rs")),
            ("criteria/validate.rs", include_str!("validate.rs")),
        ] {
            assert!(
                !src.contains("tr!("),
                "{name} writes a message inline: put it in criteria/messages.rs"
            );
        }
    }

    /// Every message here exists in both languages, and the two differ.
    #[test]
    fn every_message_is_in_both_languages() {
        let src = include_str!("messages.rs");
        let messages = src.split("#[cfg(test)]").next().unwrap_or_default();
        let calls: Vec<&str> = messages.split("tr!(").skip(1).collect();
        // The two literals of each call.
        let mut checked = 0;
        for call in calls {
            let call = call.replace("\\\"", "'");
            let literals: Vec<&str> = call.split('"').collect();
            if literals.len() < 4 || !call.trim_start().starts_with('"') {
                continue;
            }
            let (vi, en) = (literals[1], literals[3]);
            assert!(!vi.is_empty() && !en.is_empty() && vi != en, "{vi} / {en}");
            checked += 1;
        }
        assert!(checked >= 90, "{checked}");
    }
}
