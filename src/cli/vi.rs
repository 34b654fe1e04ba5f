//! The command line in Vietnamese: the help of every command and flag, clap's own headings, and
//! usage errors (unknown flag, missing or bad value…) worded from the error's parts, with clap's
//! "did you mean". The English texts are the derive attributes in `cli`; a test checks that every
//! flag of every command has its Vietnamese here, so a new flag cannot print English help.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// (command, about, after help) — `""` is the top level.
const COMMANDS: &[(&str, &str, &str)] = &[
    (
        "",
        "Chấm điểm, xếp loại và xếp hạng Chỉ số cải cách hành chính (Chỉ số CCHC) theo bộ tiêu chí có phiên bản",
        "Ví dụ:\n  parindex check criteria/xa-2025.toml\n  parindex score sample-data/danh-gia-2025.toml\n  parindex score --criteria criteria/xa-2025.toml --units sample-data/units.csv \\\n      --data sample-data/2025/chi-so-xa.csv --data 'sample-data/2025/tham-dinh.xlsx#Thẩm định' \\\n      --data sample-data/2025/dieu-tra-xhh.parquet --out out/\n  parindex completions bash > /etc/bash_completion.d/parindex\n\nNgôn ngữ: tiếng Việt; tiếng Anh với --lang en (ở bất kỳ chỗ nào của dòng lệnh) hoặc PARINDEX_LANG=en.\nMã thoát: 0 thành công, 1 dữ liệu sai hoặc lỗi khi chạy, 2 dùng lệnh sai hoặc tệp tiêu chí sai.",
    ),
    (
        "check",
        "Kiểm tra tệp tiêu chí hoặc tệp lần chạy và in cây tiêu chí với điểm tối đa và quy tắc chấm",
        "Mọi lỗi được báo cùng lúc dạng tệp:dòng:cột, có dấu ^ chỉ chỗ sai và gợi ý sửa; có lỗi thì mã thoát 2.\nTệp lần chạy được kiểm tra cùng các tệp tiêu chí và bảng dữ liệu mà nó nêu.\n\nVí dụ:\n  parindex check criteria/xa-2025.toml criteria/so-2025.toml\n  parindex check sample-data/danh-gia-2025.toml",
    ),
    (
        "score",
        "Chấm điểm, xếp loại, xếp hạng; ghi results.csv, criterion-scores.csv, results.xlsx và report.html",
        "Ví dụ:\n  parindex score sample-data/danh-gia-2025.toml\n  parindex score sample-data/danh-gia-2025.toml --lang en --out out-en/ --scorecards out-en/phieu\n  parindex score --criteria criteria/so-2025.toml --criteria criteria/xa-2025.toml \\\n      --units sample-data/units.csv \\\n      --data sample-data/2025/chi-so-so.csv --data sample-data/2025/chi-so-xa.csv \\\n      --data 'sample-data/2025/tham-dinh.xlsx#Thẩm định' --data sample-data/2025/dieu-tra-xhh.parquet --out out/\n\nChọn trang tính của sổ Excel bằng TỆP#TRANG (mặc định: trang đầu). Cột được nhận theo mã chỉ số hoặc\ntheo tên cột (tên tiêu chí, `captions` trong tệp tiêu chí, hoặc --map). Ô định dạng % được đọc là phần\ntrăm; bảng ghi tỷ lệ dạng phân số (0,9898) cần --rates-as-fraction TỆP; tên cột riêng của cơ quan\nđược gắn với chỉ số bằng --map TỆP (README, mục Inputs as they arrive).",
    ),
    (
        "template",
        "Ghi sổ nhập liệu của một năm: mỗi bộ tiêu chí một trang tính, mỗi đơn vị một dòng, mỗi chỉ số một cột có kiểm tra dữ liệu và lời nhắc tiêu chí",
        "Ví dụ:\n  parindex template sample-data/danh-gia-2025.toml --out mau-nhap-lieu.xlsx\n  parindex template --criteria criteria/xa-2025.toml --units sample-data/units.csv --self --out tu-danh-gia.xlsx\n  parindex template sample-data/danh-gia-2025.toml --appraisal --out tham-dinh.xlsx\n\nSổ đã điền được `parindex score --data TỆP.xlsx` đọc thẳng, không cần bảng ánh xạ hay tham số: mọi\ntrang dữ liệu đều được đọc. Tỷ lệ nhập dạng phần trăm (98,5) hoặc trong ô định dạng %; KAD hoặc N/A\nđánh dấu tiêu chí không áp dụng.",
    ),
    (
        "decision",
        "Ghi dự thảo Quyết định công bố kết quả (quyet-dinh.docx) theo thể thức Nghị định 30, mỗi nhóm xếp hạng một phụ lục: lần chạy được chấm như `score`, chỉ ghi Quyết định",
        "Nội dung lấy từ mục [decision] của tệp lần chạy (cơ quan ban hành, số, căn cứ, các điều, nơi nhận, chữ ký),\nmỗi mục có nội dung mặc định; `score` cũng ghi tệp này khi tệp lần chạy có mục đó.\n\nVí dụ:\n  parindex decision sample-data/danh-gia-2025.toml\n  parindex decision sample-data/danh-gia-2025.toml --lang en --out quyet-dinh-en.docx",
    ),
    (
        "criteria",
        "Làm việc với tệp tiêu chí: `diff` so sánh bộ tiêu chí của hai năm, `import` đọc bảng phụ lục, `export` ghi phụ lục chính thức",
        "Ví dụ:\n  parindex criteria diff criteria/xa-2024.toml criteria/xa-2025.toml\n  parindex criteria export criteria/xa-2025.toml --out phu-luc-xa-2025.xlsx",
    ),
    (
        "criteria diff",
        "Những gì thay đổi giữa hai bộ tiêu chí: tiêu chí thêm, bỏ, đổi số thứ tự, đổi nội dung, đổi điểm tối đa và cách chấm, trọng số lĩnh vực, và bao nhiêu điểm thay đổi cách chấm",
        "Tiêu chí được ghép theo nội dung khi gần như giống nhau (tiêu chí đổi số thứ tự vẫn là một tiêu chí),\nrồi theo số thứ tự khi nội dung đã viết lại; cách ghép được nói trên từng dòng.\n\nVí dụ:\n  parindex criteria diff criteria/xa-2024.toml criteria/xa-2025.toml\n  parindex criteria diff criteria/so-2024.toml criteria/so-2025.toml --csv thay-doi.csv",
    ),
    (
        "criteria import",
        "Đọc bảng phụ lục (bộ tiêu chí là phụ lục của một Quyết định, .xlsx hoặc .csv) thành tệp tiêu chí: cây theo cách đánh số, điểm tối đa, quy tắc chấm cho mỗi tiêu chí có hướng dẫn viết theo cách thường dùng (đánh dấu để người kiểm tra), còn lại là điểm thẩm định",
        "Dòng tiêu đề được tìm dưới các dòng tên bảng theo tên cột (STT, Tiêu chí hoặc Nội dung, Điểm tối đa,\nHướng dẫn chấm điểm, Tài liệu kiểm chứng), theo thứ tự bất kỳ. Các cách viết được đọc có trong\ndocs/criteria-format.md.\n\nVí dụ:\n  parindex criteria export criteria/xa-2025.toml --out phu-luc.xlsx\n  parindex criteria import phu-luc.xlsx --unit-types 'xã,phường,đặc khu' --out xa-2026.toml",
    ),
    (
        "criteria export",
        "Ghi tệp tiêu chí thành bảng phụ lục chính thức: STT theo cách đánh số của văn bản, tiêu chí, điểm tối đa, hướng dẫn chấm điểm bằng lời, ghi chú",
        "Định dạng theo phần mở rộng của tệp: .xlsx (một trang tính, khổ A4, lặp dòng tiêu đề) hoặc .docx\n(lề theo Nghị định 30, lặp dòng tiêu đề, không tách dòng sang trang sau).\n\nVí dụ:\n  parindex criteria export criteria/xa-2025.toml --out phu-luc-xa-2025.xlsx\n  parindex criteria export criteria/so-2025.toml --out phu-luc-so-2025.docx",
    ),
    (
        "derive",
        "Tính bảng chỉ số theo đơn vị từ dữ liệu hồ sơ (mỗi dòng một hồ sơ) để dùng cho `score`",
        "Định nghĩa (docs/derive.md): hồ sơ tiếp nhận trong kỳ; đã giải quyết = xong trước --as-of; đúng hạn = xong\ntrước hoặc đúng ngày hẹn trả; hồ sơ chưa xong đã quá hạn tính là trễ hạn:\n  on_time_rate = resolved_on_time / (resolved + pending_overdue) × 100\n\nTrên màn hình, thanh tiến trình cho biết số hồ sơ đã đọc, số hồ sơ mỗi giây và thời gian còn lại.\n\nVí dụ:\n  parindex derive sample-data/2025/ho-so-2025.csv --period 2025 --map sample-data/ban-do-ho-so.toml \\\n      --units sample-data/units.csv --out chi-so-ho-so.csv\n  parindex derive sample-data/2025/ho-so-2025.csv --from 1/7/2025 --to 31/12/2025 --as-of 15/1/2026 \\\n      --map sample-data/ban-do-ho-so.toml --units sample-data/units.csv --out chi-so-6-thang.parquet",
    ),
    (
        "completions",
        "In tập lệnh tự hoàn thành (completion) của parindex cho một shell (bash, zsh, fish, powershell, elvish)",
        "Ví dụ:\n  parindex completions bash > ~/.local/share/bash-completion/completions/parindex\n  parindex completions zsh > ~/.zfunc/_parindex",
    ),
];

/// (command, argument id, help).
const ARGS: &[(&str, &str, &str)] = &[
    ("", "lang", "Ngôn ngữ của trợ giúp, thông báo và tài liệu: vi (mặc định) hoặc en; hoặc PARINDEX_LANG=en. Khi không nêu, dùng `lang` của tệp lần chạy"),
    ("check", "criteria", "Tệp tiêu chí hoặc tệp lần chạy (TOML)"),
    ("score", "run", "Tệp lần chạy (TOML) nêu bộ tiêu chí, danh mục đơn vị, dữ liệu, thư mục kết quả, ngôn ngữ và phần đầu văn bản; đường dẫn trong tệp tính từ thư mục của tệp. Tham số dòng lệnh thay giá trị của tệp (tham số danh sách như --data thay cả danh sách)"),
    ("score", "criteria", "Tệp tiêu chí; lặp lại cho nhiều loại đơn vị (mỗi loại trong một tệp)"),
    ("score", "units", "Danh mục đơn vị: mã, tên, loại, khối (CSV, XLSX hoặc Parquet)"),
    ("score", "data", "Bảng chỉ số, mỗi đơn vị một dòng; lặp lại để ghép nhiều bảng theo mã đơn vị"),
    ("score", "rates_as_fraction", "Bảng --data ghi tỷ lệ dạng phân số (0,9898 cho 98,98%); lặp lại cho từng bảng"),
    ("score", "map", "Tệp ánh xạ: `[columns]` chỉ số = \"tên cột\" (hoặc danh sách tên cột)"),
    ("score", "self_data", "Bảng tự đánh giá (số liệu của đơn vị, cùng cột với --data); lặp lại cho từng bảng. Được đối chiếu với số liệu thẩm định trong appraisal.csv"),
    ("score", "reasons", "Lý do điều chỉnh, dạng bảng dọc: mã đơn vị, mã tiêu chí, lý do"),
    ("score", "reason_threshold", "Điều chỉnh lớn hơn số điểm này phải có lý do (mặc định 0: mọi điều chỉnh)"),
    ("score", "previous", "Kết quả năm trước (results.csv của parindex hoặc bảng đã công bố) để so sánh"),
    ("score", "lineage", "Tệp kế thừa nối đơn vị năm nay với đơn vị năm trước: mã mới, mã cũ, quan hệ"),
    ("score", "awards", "Quy tắc khen thưởng (TOML, docs/awards-format.md): ai được đề nghị khen thưởng gì, vì sao"),
    ("score", "replications", "Số lần mô phỏng Monte Carlo cho độ tin cậy của thứ hạng, từ 1 đến 1.000.000 như trong tệp lần chạy (thay giá trị của tệp)"),
    ("score", "seed", "Hạt giống ngẫu nhiên của các lần mô phỏng (cùng dữ liệu và hạt giống cho cùng kết quả)"),
    ("score", "threads", "Số luồng cho các lần mô phỏng (mặc định: mọi lõi; kết quả không phụ thuộc vào số này)"),
    ("score", "audit", "Phân tích bộ tiêu chí (audit.csv, một trang tính, một mục trong báo cáo): tiêu chí nào không phân loại được đơn vị, trùng lặp với tiêu chí khác hoặc có trọng số thực tế thấp hơn nhiều so với điểm tối đa (như [audit] trong tệp lần chạy)"),
    ("score", "out", "Thư mục kết quả (tạo nếu chưa có)"),
    ("score", "scorecards", "Ghi thêm mỗi đơn vị một phiếu kết quả, THƯ_MỤC/<mã đơn vị>.html, để gửi từng đơn vị"),
    ("score", "locale", "Cách viết số trong bảng: tự nhận theo từng tệp (auto, mặc định), vi (86,97) hoặc en (86.97)"),
    ("score", "quiet", "Chỉ in dòng tóm tắt"),
    ("template", "run", "Tệp lần chạy nêu các tệp tiêu chí và danh mục đơn vị (tham số dòng lệnh thay giá trị của tệp)"),
    ("template", "criteria", "Tệp tiêu chí; lặp lại cho nhiều loại đơn vị (mỗi loại một trang tính)"),
    ("template", "units", "Danh mục đơn vị: các dòng của mỗi trang tính"),
    ("template", "out", "Sổ Excel sẽ ghi (mặc định: mau-nhap-lieu.xlsx trong thư mục kết quả của tệp lần chạy)"),
    ("template", "self_assessment", "Mẫu tự đánh giá của đơn vị: không có cột điều tra xã hội học, có cột tài liệu kiểm chứng"),
    ("template", "appraisal", "Mẫu thẩm định: thêm cột lý do sau mỗi chỉ số"),
    ("decision", "run", "Tệp lần chạy (TOML): những gì `score` đọc, và mục [decision]"),
    ("decision", "out", "Tệp sẽ ghi (mặc định: quyet-dinh.docx trong thư mục kết quả của tệp lần chạy)"),
    ("decision", "quiet", "Chỉ in dòng tóm tắt"),
    ("criteria diff", "old", "Tệp tiêu chí năm trước"),
    ("criteria diff", "new", "Tệp tiêu chí năm nay"),
    ("criteria import", "annex", "Bảng phụ lục (.xlsx, chọn trang bằng TỆP#TRANG, hoặc .csv)"),
    ("criteria import", "out", "Tệp tiêu chí sẽ ghi (TOML)"),
    ("criteria import", "unit_types", "Các loại đơn vị bộ tiêu chí chấm, cách nhau bằng dấu phẩy (\"xã,phường,đặc khu\")"),
    ("criteria import", "year", "Năm đánh giá (mặc định: năm trong tên bảng phụ lục)"),
    ("criteria import", "name", "Tên bộ tiêu chí (mặc định: tên bảng phụ lục)"),
    ("criteria export", "file", "Tệp tiêu chí"),
    ("criteria export", "out", "Phụ lục sẽ ghi, .xlsx hoặc .docx"),
    ("criteria diff", "csv", "Ghi thêm cách ghép và thay đổi của từng tiêu chí ra CSV"),
    ("derive", "files", "Tệp dữ liệu hồ sơ (CSV hoặc Parquet); nhiều tệp là một bộ dữ liệu"),
    ("derive", "period", "Năm của các hồ sơ tiếp nhận được tính"),
    ("derive", "from", "Ngày đầu kỳ (thay --period)"),
    ("derive", "to", "Ngày cuối kỳ (thay --period)"),
    ("derive", "as_of", "Ngày chốt xác định hồ sơ còn đang giải quyết (mặc định: ngày cuối kỳ)"),
    ("derive", "map", "Tệp ánh xạ đổi tên cột và giá trị của tệp xuất (TOML)"),
    ("derive", "units", "Danh mục đơn vị: mã đơn vị lạ được báo và bỏ qua; đơn vị không có hồ sơ nhận giá trị 0"),
    ("derive", "out", "Bảng kết quả, .csv hoặc .parquet"),
    ("derive", "strict", "Bất kỳ hồ sơ lỗi nào cũng là lỗi (không ghi gì)"),
    ("derive", "threads", "Số luồng đọc và đếm (mặc định: mọi lõi)"),
    ("derive", "engine", "Bộ đọc: auto (của parindex), hoặc của polars: streaming hoặc in-memory"),
    ("derive", "quiet", "Không in dòng tiến độ và thanh tiến trình"),
    ("completions", "shell", "Shell: bash, zsh, fish, powershell hoặc elvish"),
];

/// clap's own words in a rendered help, in Vietnamese.
const HEADINGS: &[(&str, &str)] = &[
    ("Usage:", "Cách dùng:"),
    ("Options:", "Tùy chọn:"),
    ("Arguments:", "Tham số:"),
    ("Commands:", "Lệnh:"),
    ("[OPTIONS]", "[TÙY CHỌN]"),
    ("<COMMAND>", "<LỆNH>"),
    ("Print help", "In trợ giúp"),
    ("Print version", "In số phiên bản"),
    ("[default: ", "[mặc định: "),
    ("[possible values: ", "[giá trị: "),
];

/// The command with its help in Vietnamese.
pub(super) fn localize(mut cmd: clap::Command) -> clap::Command {
    // "criteria diff" names a subcommand of a subcommand.
    fn within(
        cmd: clap::Command,
        path: &str,
        f: &dyn Fn(clap::Command) -> clap::Command,
    ) -> clap::Command {
        match path.split_once(' ') {
            _ if path.is_empty() => f(cmd),
            Some((first, rest)) => cmd.mut_subcommand(first, |c| within(c, rest, f)),
            None => cmd.mut_subcommand(path, f),
        }
    }
    for &(name, about, after) in COMMANDS {
        cmd = within(cmd, name, &|c| {
            c.about(about).long_about(None).after_help(after)
        });
    }
    for &(name, id, help) in ARGS {
        cmd = within(cmd, name, &|c| {
            c.mut_arg(id, |a| a.help(help).long_help(None))
        });
    }
    cmd
}

/// A rendered help or usage in Vietnamese: clap's headings and placeholders replaced.
pub(super) fn words(text: &str) -> String {
    HEADINGS
        .iter()
        .fold(text.to_string(), |t, (en, vi)| t.replace(en, vi))
}

/// A usage error worded in Vietnamese from its parts; `None` for a kind not worded here (the
/// caller then prints clap's own).
pub(super) fn usage_error(e: &clap::Error) -> Option<String> {
    let one = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        _ => None,
    };
    let many = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        _ => vec![],
    };
    let arg = one(ContextKind::InvalidArg).unwrap_or_default();
    let quoted = |v: Vec<String>| {
        v.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut msg = match e.kind() {
        ErrorKind::UnknownArgument => format!("lỗi: không có tham số `{arg}`"),
        ErrorKind::InvalidSubcommand => format!(
            "lỗi: không có lệnh `{}`",
            one(ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::InvalidValue => match one(ContextKind::InvalidValue) {
            Some(v) if !v.is_empty() => {
                let valid = many(ContextKind::ValidValue);
                let mut m = format!("lỗi: `{v}` không phải giá trị của `{arg}`");
                if !valid.is_empty() {
                    m += &format!("; các giá trị được nhận: {}", quoted(valid));
                }
                m
            }
            _ => format!("lỗi: `{arg}` cần một giá trị"),
        },
        ErrorKind::ValueValidation => {
            let v = one(ContextKind::InvalidValue).unwrap_or_default();
            // The parser's reason ("1000001 is not in 1..=1000000", "invalid digit…") in words.
            let source = std::error::Error::source(e).map(|s| s.to_string());
            let why = match source.as_deref() {
                Some(s) if s.contains(" is not in ") => {
                    let range = s.rsplit(" is not in ").next().unwrap_or("");
                    let (lo, hi) = range.split_once("..=").unwrap_or((range, ""));
                    format!("phải từ {lo} đến {hi}")
                }
                _ => "phải là một số nguyên không âm".to_string(),
            };
            format!("lỗi: `{arg}` nhận `{v}`: {why}")
        }
        ErrorKind::MissingRequiredArgument => format!(
            "lỗi: thiếu tham số bắt buộc: {}",
            quoted(many(ContextKind::InvalidArg))
        ),
        ErrorKind::ArgumentConflict => format!(
            "lỗi: `{arg}` không dùng cùng `{}`",
            one(ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::TooManyValues | ErrorKind::NoEquals => {
            format!("lỗi: `{arg}` không dùng được như vậy")
        }
        _ => return None,
    };
    if let Some(s) =
        one(ContextKind::SuggestedArg).or_else(|| one(ContextKind::SuggestedSubcommand))
    {
        msg += &format!("\n\n  gợi ý: có phải ý bạn là `{s}`?");
    }
    if let Some(ContextValue::StyledStr(usage)) = e.get(ContextKind::Usage) {
        msg += &format!("\n\n{}", words(&usage.to_string()));
    }
    Some(msg)
}

#[cfg(test)]
mod tests {
    /// Every flag, argument and command has its Vietnamese help, and no text names one that
    /// does not exist.
    #[test]
    fn every_command_and_argument_has_its_vietnamese_help() {
        use clap::CommandFactory;
        let cmd = super::super::Cli::command();
        let mut wanted: Vec<(String, String)> = vec![];
        let mut names = vec![String::new()];
        let args = |c: &clap::Command, name: &str, w: &mut Vec<(String, String)>| {
            for a in c.get_arguments() {
                let id = a.get_id().as_str();
                // A global flag is listed once, at the top level.
                let own = name.is_empty() || !a.is_global_set();
                if own && !["help", "version"].contains(&id) {
                    w.push((name.to_string(), id.to_string()));
                }
            }
        };
        args(&cmd, "", &mut wanted);
        for s in cmd.get_subcommands() {
            names.push(s.get_name().to_string());
            args(s, s.get_name(), &mut wanted);
            for t in s.get_subcommands() {
                let name = format!("{} {}", s.get_name(), t.get_name());
                args(t, &name, &mut wanted);
                names.push(name);
            }
        }
        let have: Vec<(String, String)> = super::ARGS
            .iter()
            .map(|&(c, a, _)| (c.to_string(), a.to_string()))
            .collect();
        wanted.sort();
        let mut sorted = have.clone();
        sorted.sort();
        assert_eq!(wanted, sorted);
        let commands: Vec<String> = super::COMMANDS.iter().map(|c| c.0.to_string()).collect();
        assert_eq!(names, commands);
    }
}
