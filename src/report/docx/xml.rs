//! The WordprocessingML the Decision is made of: runs, paragraphs, tables and section breaks as
//! strings, and the package (`[Content_Types].xml`, relationships, styles, settings, the page-number
//! header) zipped with fixed times so that the same run gives the same bytes. Only what the
//! Decision uses is here; sizes are in half-points, lengths in twentieths of a point (twips).
//!
//! Why not a .docx crate: docx-rs 0.4.22 (the newest) cannot mark a table row as a header that
//! repeats on every page (`w:tblHeader`), and docx-rust 0.1.11 cannot keep a row from splitting
//! across pages (`w:cantSplit`); the annexes need both, and either crate would add a second zip and
//! XML stack to the build. The parts are small and fixed; the zip crate already in the tree packs
//! them.

use std::io::Write;

/// A4, portrait, in twips.
pub const A4: (u32, u32) = (11906, 16838);

/// Margins of Decree 30/2020 (Phụ lục I): top and bottom 20 mm, left 30 mm, right 15 mm.
pub const MARGIN_TOP: u32 = 1134;
pub const MARGIN_BOTTOM: u32 = 1134;
pub const MARGIN_LEFT: u32 = 1701;
pub const MARGIN_RIGHT: u32 = 851;

/// The width of the text on a portrait and on a landscape page.
pub const PORTRAIT_WIDTH: u32 = A4.0 - MARGIN_LEFT - MARGIN_RIGHT;
pub const LANDSCAPE_WIDTH: u32 = A4.1 - MARGIN_LEFT - MARGIN_RIGHT;

pub const FONT: &str = "Times New Roman";

use crate::report::xml_escape as esc;

/// A run of text: its size in half-points, bold, italic.
#[derive(Debug, Clone, Copy, Default)]
pub struct Font {
    pub size: u32,
    pub bold: bool,
    pub italic: bool,
}

impl Font {
    pub const fn pt(size: u32) -> Font {
        Font {
            size: size * 2,
            bold: false,
            italic: false,
        }
    }
    pub const fn bold(self) -> Font {
        Font { bold: true, ..self }
    }
    pub const fn italic(self) -> Font {
        Font {
            italic: true,
            ..self
        }
    }
}

pub fn run(text: &str, f: Font) -> String {
    let mut props = String::new();
    if f.bold {
        props.push_str("<w:b/><w:bCs/>");
    }
    if f.italic {
        props.push_str("<w:i/><w:iCs/>");
    }
    props.push_str(&format!(
        r#"<w:sz w:val="{0}"/><w:szCs w:val="{0}"/>"#,
        f.size
    ));
    format!(
        r#"<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#,
        esc(text)
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Both,
}

/// A paragraph's layout.
#[derive(Debug, Clone, Copy, Default)]
pub struct Para {
    pub align: Align,
    /// First-line indent, twips.
    pub first_line: u32,
    /// Left and right indents, twips.
    pub indent: (u32, u32),
    /// Space before and after, twips.
    pub before: u32,
    pub after: u32,
    pub keep_next: bool,
    /// A line under the paragraph (the short rules under the issuing body, the motto and the
    /// summary: an empty paragraph with this border, its indents making it short).
    pub rule: bool,
    /// Line spacing in 240ths of a line (240 = single); 0 for the default.
    pub line: u32,
}

impl Para {
    pub fn center() -> Para {
        Para {
            align: Align::Center,
            ..Para::default()
        }
    }
    pub fn body() -> Para {
        Para {
            align: Align::Both,
            first_line: 567,
            after: 120,
            line: 264,
            ..Para::default()
        }
    }
}

fn ppr(p: &Para, extra: &str) -> String {
    let mut s = String::from("<w:pPr>");
    if p.keep_next {
        s.push_str("<w:keepNext/>");
    }
    if p.rule {
        s.push_str(
            r#"<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>"#,
        );
    }
    s.push_str(&format!(
        r#"<w:spacing w:before="{}" w:after="{}"{}/>"#,
        p.before,
        p.after,
        if p.line > 0 {
            format!(r#" w:line="{}" w:lineRule="auto""#, p.line)
        } else {
            String::new()
        }
    ));
    if p.first_line > 0 || p.indent != (0, 0) {
        s.push_str(&format!(
            r#"<w:ind w:left="{}" w:right="{}" w:firstLine="{}"/>"#,
            p.indent.0, p.indent.1, p.first_line
        ));
    }
    let jc = match p.align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Both => "both",
    };
    s.push_str(&format!(r#"<w:jc w:val="{jc}"/>"#));
    s.push_str(extra);
    s.push_str("</w:pPr>");
    s
}

/// A paragraph of runs.
pub fn para(p: Para, runs: &[String]) -> String {
    format!("<w:p>{}{}</w:p>", ppr(&p, ""), runs.concat())
}

/// A paragraph of one run.
pub fn line(p: Para, text: &str, f: Font) -> String {
    para(p, &[run(text, f)])
}

/// A short rule of `length` twips centred in `width`.
pub fn rule(width: u32, length: u32) -> String {
    let side = width.saturating_sub(length) / 2;
    let p = Para {
        align: Align::Center,
        indent: (side, side),
        rule: true,
        ..Para::default()
    };
    // A 2-point line: the paragraph is only its border.
    format!(
        r#"<w:p>{}<w:r><w:rPr><w:sz w:val="4"/></w:rPr></w:r></w:p>"#,
        ppr(&p, "")
    )
}

/// The page of a section: portrait or landscape A4 with the Decree's margins; `first_page`
/// leaves the first page without the page number.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub landscape: bool,
    pub first_page: bool,
}

fn sect_pr(page: Page) -> String {
    let (w, h, orient) = if page.landscape {
        (A4.1, A4.0, r#" w:orient="landscape""#)
    } else {
        (A4.0, A4.1, "")
    };
    format!(
        r#"<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/><w:pgSz w:w="{w}" w:h="{h}"{orient}/><w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}" w:left="{MARGIN_LEFT}" w:header="567" w:footer="567" w:gutter="0"/>{}<w:docGrid w:linePitch="360"/></w:sectPr>"#,
        if page.first_page { "<w:titlePg/>" } else { "" }
    )
}

/// The empty paragraph that ends a section laid out as `page` (the next starts a new page).
pub fn section_end(page: Page) -> String {
    format!("<w:p><w:pPr>{}</w:pPr></w:p>", sect_pr(page))
}

/// A table cell: its width, its paragraphs, whether the header fill.
pub struct Cell {
    pub width: u32,
    pub content: String,
    pub shaded: bool,
    /// Cells merged across: this cell spans `span` grid columns.
    pub span: u32,
}

impl Cell {
    pub fn new(width: u32, content: String) -> Cell {
        Cell {
            width,
            content,
            shaded: false,
            span: 1,
        }
    }
}

/// A table: column widths, rows of cells; `header` rows repeat on every page, no row splits
/// across pages, the last `keep` rows stay on the page of what follows the table (the legend
/// never prints alone); `borders` draws the grid (the header block of the first page has none).
pub fn table(
    widths: &[u32],
    rows: &[Vec<Cell>],
    header: usize,
    keep: usize,
    borders: bool,
) -> String {
    let total: u32 = widths.iter().sum();
    let grid: String = widths
        .iter()
        .map(|w| format!(r#"<w:gridCol w:w="{w}"/>"#))
        .collect();
    let border = if borders {
        r#"<w:tblBorders><w:top w:val="single" w:sz="4" w:color="000000"/><w:left w:val="single" w:sz="4" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:color="000000"/><w:right w:val="single" w:sz="4" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:color="000000"/></w:tblBorders>"#
    } else {
        r#"<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>"#
    };
    let mut s = format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>{border}<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"#
    );
    for (i, row) in rows.iter().enumerate() {
        s.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if i < header {
            s.push_str("<w:tblHeader/>");
        }
        s.push_str("</w:trPr>");
        let kept = i + keep >= rows.len();
        for c in row {
            let content = if kept && !c.content.contains("<w:keepNext/>") {
                c.content.replace("<w:pPr>", "<w:pPr><w:keepNext/>")
            } else {
                c.content.clone()
            };
            s.push_str(&format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{}" w:type="dxa"/>{}{}<w:vAlign w:val="center"/></w:tcPr>{}</w:tc>"#,
                c.width,
                if c.span > 1 {
                    format!(r#"<w:gridSpan w:val="{}"/>"#, c.span)
                } else {
                    String::new()
                },
                if c.shaded {
                    r#"<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>"#
                } else {
                    ""
                },
                // A cell must end with a paragraph.
                if content.is_empty() {
                    "<w:p/>"
                } else {
                    &content
                }
            ));
        }
        s.push_str("</w:tr>");
    }
    s.push_str("</w:tbl>");
    s
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/></Relationships>"#;

const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>"#;

const APP: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>parindex</Application></Properties>"#;

fn styles(lang: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="{lang}" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#
    )
}

/// The page number, centred at the top, 13 pt (pages 2 on: the first section has `titlePg`).
fn header() -> String {
    let f = r#"<w:rPr><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr>"#;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r>{f}<w:fldChar w:fldCharType="begin"/></w:r><w:r>{f}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r>{f}<w:fldChar w:fldCharType="separate"/></w:r><w:r>{f}<w:t>2</w:t></w:r><w:r>{f}<w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>"#
    )
}

fn core(title: &str, created: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>parindex</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified></cp:coreProperties>"#,
        esc(title)
    )
}

/// The whole package: the body (paragraphs, tables, section ends) whose last section is laid out
/// as `last`, the document's title and language (`vi-VN`), and its date (W3CDTF; the document date,
/// never the clock).
pub fn package(
    body: &str,
    last: Page,
    title: &str,
    lang: &str,
    created: &str,
) -> zip::result::ZipResult<Vec<u8>> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>{body}{}</w:body></w:document>"#,
        sect_pr(last)
    );
    let parts: [(&str, String); 8] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", RELS.to_string()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
        ("word/document.xml", document),
        ("word/styles.xml", styles(lang)),
        ("word/settings.xml", SETTINGS.to_string()),
        ("word/header1.xml", header()),
        ("docProps/core.xml", core(title, created)),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // A fixed time on every entry: the same inputs give the same bytes.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, text) in parts
        .iter()
        .chain(std::iter::once(&("docProps/app.xml", APP.to_string())))
    {
        zip.start_file(*name, options)?;
        zip.write_all(text.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}
