//! One PNG picture of a Grafana dashboard's panels, drawn from the series a live scenario's
//! Prometheus returned (a grid of small line charts, scenario events as dashed vertical lines).
//!
//! Drawing is plotters' (bitmap backend, text through ab_glyph with DejaVu Sans read from Debian's
//! fonts-dejavu-core at run time); the pixels are encoded by the png crate and the file is written
//! aside and renamed, so a reader never sees half a picture. Same input, same bytes.

use crate::error::{io, Error, Result};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle, RGBColor};
use std::fmt::Display;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// How a panel's values are shown on its y axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Shown as B/KiB/MiB/GiB/TiB (1024 steps).
    Bytes,
    /// 0..100.
    Percent,
    /// 0..1, shown as percent.
    Ratio,
    PerSecond,
    Count,
    /// 0/1, e.g. `up`, a role, a link state.
    Bool,
}

/// One line of a panel: `points` are (seconds since the scenario start, value). Non-finite
/// values (NaN from a 0/0 ratio) are gaps.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

#[derive(Debug, Clone)]
pub struct Panel {
    pub title: String,
    pub unit: Unit,
    pub series: Vec<Series>,
}

/// A scenario event drawn as a labelled vertical line across every panel (e.g. "master killed",
/// "failover").
#[derive(Debug, Clone)]
pub struct Marker {
    pub at: f64,
    pub label: String,
}

/// The font every text is drawn with (Debian package fonts-dejavu-core).
pub const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
/// Panel titles and the picture's title (same package).
pub const FONT_BOLD: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

/// Columns of the grid.
pub const COLUMNS: u32 = 3;
/// One panel's cell, in pixels.
pub const PANEL_WIDTH: u32 = 560;
pub const PANEL_HEIGHT: u32 = 300;
/// The title line above the grid.
pub const TITLE_HEIGHT: u32 = 44;

/// Legend entries shown per panel before "+N more".
const LEGEND_MAX: usize = 8;
/// The legend column at the right of each panel.
const LEGEND_WIDTH: u32 = 150;
/// Longest legend label, in characters, before it is cut with "…".
const LEGEND_CHARS: usize = 19;
/// Scaled values beyond this are not drawable (plotters' tick search needs a finite span).
const MAX_DRAWABLE: f64 = 1e300;
/// Bool lines of different series are drawn this far apart so overlapping 0/1 lines stay visible.
const BOOL_SPREAD: f64 = 0.03;

const FAMILY: &str = "sans-serif";
const BACKGROUND: RGBColor = WHITE;
const FRAME: RGBColor = RGBColor(0xd4, 0xd4, 0xd4);
const GRID: RGBColor = RGBColor(0xee, 0xee, 0xee);
const AXIS: RGBColor = RGBColor(0x99, 0x99, 0x99);
const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x6b, 0x6b, 0x6b);
const MARKER: RGBColor = RGBColor(0x80, 0x80, 0x80);
/// Tableau 10, which stays distinct on white.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0xba, 0xb0, 0xac),
];

/// Draws every panel in a grid (3 columns) under a title line, writes `out` atomically
/// (a temporary file in the same directory, then rename), and returns nothing else.
pub fn render_png(title: &str, panels: &[Panel], markers: &[Marker], out: &Path) -> Result<()> {
    load_fonts()?;
    let (width, height) = image_size(panels.len());
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    draw(title, panels, markers, &mut pixels, (width, height))?;
    let png = encode(&pixels, width, height)?;
    write_aside(out, &png)
}

/// Width and height of the picture for `panels` panels.
pub fn image_size(panels: usize) -> (u32, u32) {
    let rows = panels.div_ceil(COLUMNS as usize) as u32;
    (COLUMNS * PANEL_WIDTH, TITLE_HEIGHT + rows * PANEL_HEIGHT)
}

fn plot_err(what: &str, e: impl Display) -> Error {
    Error::Plot(format!("{what}: {e}"))
}

/// plotters' ab_glyph text needs the font bytes registered once, for the process's lifetime.
fn load_fonts() -> Result<()> {
    static LOADED: Mutex<bool> = Mutex::new(false);
    let mut loaded = LOADED
        .lock()
        .map_err(|_| Error::Plot("font registry lock poisoned".into()))?;
    if *loaded {
        return Ok(());
    }
    for (path, style) in [(FONT, FontStyle::Normal), (FONT_BOLD, FontStyle::Bold)] {
        let bytes = read_font(Path::new(path))?;
        // Leaked on purpose: register_font keeps a &'static reference, and this runs once.
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        register_font(FAMILY, style, bytes)
            .map_err(|_| Error::Plot(format!("{path} is not a usable TrueType font")))?;
    }
    *loaded = true;
    Ok(())
}

fn read_font(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::Plot(format!(
            "cannot read the font {}: {e}; it comes from Debian's fonts-dejavu-core package, \
             which scripts/install-test-tools.sh installs",
            path.display()
        ))
    })
}

fn encode(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder
        .write_header()
        .map_err(|e| plot_err("PNG header", e))?;
    writer
        .write_image_data(pixels)
        .map_err(|e| plot_err("PNG data", e))?;
    writer.finish().map_err(|e| plot_err("PNG end", e))?;
    Ok(png)
}

/// Writes `bytes` to a temporary file next to `out`, then renames it over `out`.
fn write_aside(out: &Path, bytes: &[u8]) -> Result<()> {
    let name = out
        .file_name()
        .ok_or_else(|| Error::Plot(format!("{} names no file", out.display())))?;
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Unique per process and call, so two renders of one file never share a temporary file.
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let tmp: PathBuf = dir.join(format!(
        ".{}.{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .map_err(io(&tmp))
        .and_then(|()| std::fs::rename(&tmp, out).map_err(io(out)));
    if written.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The colour of each label: the same label gets the same colour in every panel, assigned in
/// order of first appearance so the picture does not depend on anything but the input.
fn colours(panels: &[Panel]) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for s in panels.iter().flat_map(|p| &p.series) {
        if !seen.contains(&s.label.as_str()) {
            seen.push(&s.label);
        }
    }
    seen
}

fn colour_of(labels: &[&str], label: &str) -> RGBColor {
    let i = labels.iter().position(|l| *l == label).unwrap_or(0);
    PALETTE[i % PALETTE.len()]
}

/// The x range shared by every panel: the scenario start (0) to the last point or marker.
fn x_range(panels: &[Panel], markers: &[Marker]) -> (f64, f64) {
    let xs = panels
        .iter()
        .flat_map(|p| &p.series)
        .flat_map(|s| &s.points)
        .filter(|(x, y)| y.is_finite() && x.is_finite())
        .map(|(x, _)| *x)
        .chain(markers.iter().map(|m| m.at))
        .filter(|x| x.is_finite() && x.abs() <= MAX_DRAWABLE);
    let (lo, hi) = xs.fold((0.0f64, 0.0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
    if hi > lo {
        (lo, hi)
    } else {
        (lo, lo + 1.0)
    }
}

/// How a unit's values are scaled and suffixed on the axis: the value is divided by `divisor`;
/// zero keeps the unscaled suffix ("0 B", not "0 MiB").
struct Scale {
    divisor: f64,
    suffix: &'static str,
    zero: &'static str,
}

impl Scale {
    /// The axis label of a scaled tick value; `step` is the distance between ticks (a tick a
    /// rounding error away from zero is zero).
    fn label(&self, scaled: f64, step: f64) -> String {
        let scaled = if scaled.abs() < step * 1e-9 {
            0.0
        } else {
            scaled
        };
        let n = number(scaled, decimals(step));
        let suffix = if n == "0" { self.zero } else { self.suffix };
        format!("{n}{suffix}")
    }
}

fn scale_for(unit: Unit, max_abs: f64) -> Scale {
    let steps = |base: f64, suffixes: &'static [&'static str]| {
        let mut divisor = 1.0;
        let mut i = 0;
        while i + 1 < suffixes.len() && max_abs >= divisor * base {
            divisor *= base;
            i += 1;
        }
        Scale {
            divisor,
            suffix: suffixes[i],
            zero: suffixes[0],
        }
    };
    match unit {
        Unit::Bytes => steps(
            1024.0,
            &[" B", " KiB", " MiB", " GiB", " TiB", " PiB", " EiB"],
        ),
        Unit::Percent => Scale {
            divisor: 1.0,
            suffix: "%",
            zero: "%",
        },
        Unit::Ratio => Scale {
            divisor: 0.01,
            suffix: "%",
            zero: "%",
        },
        Unit::PerSecond => steps(1000.0, &["/s", "k/s", "M/s", "G/s", "T/s"]),
        Unit::Count => steps(1000.0, &["", "k", "M", "G", "T"]),
        Unit::Bool => Scale {
            divisor: 1.0,
            suffix: "",
            zero: "",
        },
    }
}

/// A tick value with `decimals` decimals at most, trailing zeros dropped; absurdly large values
/// in scientific notation so their labels stay inside the panel.
fn number(v: f64, decimals: usize) -> String {
    if v.abs() >= 1e6 {
        return format!("{v:.2e}");
    }
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// The decimals that show every multiple of `step` exactly (0.25 needs 2, 50 needs none).
fn decimals(step: f64) -> usize {
    (0..=9)
        .find(|&d| {
            let scaled = step * 10f64.powi(d);
            (scaled - scaled.round()).abs() <= scaled.abs() * 1e-9
        })
        .map_or(9, |d| d as usize)
}

/// Consecutive drawable points of one series, in scaled values.
type Run = Vec<(f64, f64)>;

/// A series' drawable runs: consecutive finite points, scaled, Bool lines spread by `offset`
/// and drawn as steps (a role holds until the next sample says otherwise).
fn runs(s: &Series, unit: Unit, divisor: f64, offset: f64) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut current: Run = Vec::new();
    for &(x, y) in &s.points {
        let y = y / divisor;
        if !(x.is_finite() && y.is_finite() && y.abs() <= MAX_DRAWABLE && x.abs() <= MAX_DRAWABLE) {
            if !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
            continue;
        }
        if unit == Unit::Bool {
            if let Some(&(_, prev)) = current.last() {
                current.push((x, prev));
            }
            current.push((x, y + offset));
        } else {
            current.push((x, y));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The y range of a panel (scaled values) and its tick values.
fn y_axis(unit: Unit, runs: &[Run]) -> (f64, f64, Vec<f64>) {
    if unit == Unit::Bool {
        return (-0.15, 1.15, vec![0.0, 1.0]);
    }
    let ys = runs.iter().flatten().map(|(_, y)| *y);
    let (lo, hi) = ys.fold((0.0f64, 0.0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo, lo + 1.0) };
    let pad = (hi - lo) * 0.08;
    let lo = if lo < 0.0 { lo - pad } else { lo };
    let hi = hi + pad;
    let ticks = RangedCoordf64::from(lo..hi).key_points(5usize);
    (lo, hi, ticks)
}

/// A y axis with chosen ticks. Written here because plotters' own `with_key_points` over an f64
/// range loses the f64 value formatter, and `configure_mesh` then refuses the chart.
struct YAxis {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for YAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, _hint: H) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

fn draw(
    title: &str,
    panels: &[Panel],
    markers: &[Marker],
    pixels: &mut [u8],
    size: (u32, u32),
) -> Result<()> {
    let root = BitMapBackend::with_buffer(pixels, size).into_drawing_area();
    root.fill(&BACKGROUND)
        .map_err(|e| plot_err("background", e))?;
    let (head, grid) = root.split_vertically(TITLE_HEIGHT);
    // A long title (a key of many markers) gets a smaller font, and the note only fits beside
    // a short one.
    let room = size.0.saturating_sub(28);
    let mut title_style = (FAMILY, 22, FontStyle::Bold).into_font().color(&TEXT);
    let (mut title_width, _) = head
        .estimate_text_size(title, &title_style)
        .map_err(|e| plot_err("title", e))?;
    if title_width > room {
        title_style = (FAMILY, 15, FontStyle::Bold).into_font().color(&TEXT);
        title_width = head
            .estimate_text_size(title, &title_style)
            .map_err(|e| plot_err("title", e))?
            .0;
    }
    head.draw(&Text::new(title.to_string(), (14, 12), title_style))
        .map_err(|e| plot_err("title", e))?;
    let note = "x: seconds since the scenario started; dashed lines: scenario events";
    let note_style = (FAMILY, 13).into_font().color(&MUTED);
    let (note_width, _) = head
        .estimate_text_size(note, &note_style)
        .map_err(|e| plot_err("note", e))?;
    if title_width + note_width + 40 <= room {
        head.draw(&Text::new(
            note,
            (size.0 as i32 - note_width as i32 - 14, 18),
            note_style,
        ))
        .map_err(|e| plot_err("note", e))?;
    }

    let rows = panels.len().div_ceil(COLUMNS as usize);
    if rows == 0 {
        return root.present().map_err(|e| plot_err("present", e));
    }
    let cells = grid.split_evenly((rows, COLUMNS as usize));
    let labels = colours(panels);
    let x = x_range(panels, markers);
    for (panel, cell) in panels.iter().zip(cells.iter()) {
        draw_panel(panel, cell, x, markers, &labels)
            .map_err(|e| Error::Plot(format!("panel {:?}: {e}", panel.title)))?;
    }
    root.present().map_err(|e| plot_err("present", e))
}

fn draw_panel(
    panel: &Panel,
    cell: &Area,
    (x_lo, x_hi): (f64, f64),
    markers: &[Marker],
    labels: &[&str],
) -> DrawResult<(), BitMapBackend<'static>> {
    let area = cell.margin(5, 5, 5, 5);
    let (w, h) = area.dim_in_pixel();
    area.draw(&Rectangle::new(
        [(0, 0), (w as i32 - 1, h as i32 - 1)],
        FRAME.stroke_width(1),
    ))?;
    area.draw(&Text::new(
        panel.title.clone(),
        (10, 8),
        (FAMILY, 15, FontStyle::Bold).into_font().color(&TEXT),
    ))?;
    let body = area.margin(30, 4, 4, 4);
    let (chart_area, legend_area) = body.split_horizontally(body.dim_in_pixel().0 - LEGEND_WIDTH);

    let max_abs = panel
        .series
        .iter()
        .flat_map(|s| &s.points)
        .map(|(_, y)| y.abs())
        .filter(|y| y.is_finite())
        .fold(0.0f64, f64::max);
    let scale = scale_for(panel.unit, max_abs);
    let n = panel.series.len();
    let spread = |i: usize| {
        if panel.unit == Unit::Bool && n > 1 {
            let centred = i as f64 - (n - 1) as f64 / 2.0;
            (centred * BOOL_SPREAD).clamp(-0.1, 0.1)
        } else {
            0.0
        }
    };
    let lines: Vec<(RGBColor, Vec<Run>)> = panel
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                colour_of(labels, &s.label),
                runs(s, panel.unit, scale.divisor, spread(i)),
            )
        })
        .collect();
    let all_runs: Vec<Run> = lines.iter().flat_map(|(_, r)| r.clone()).collect();
    let (y_lo, y_hi, ticks) = y_axis(panel.unit, &all_runs);
    let step = ticks
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .fold(f64::INFINITY, f64::min);
    let y_step = if step.is_finite() { step } else { 0.01 };

    let mut chart = ChartBuilder::on(&chart_area)
        .margin_right(8)
        .margin_top(6)
        .x_label_area_size(22)
        .y_label_area_size(62)
        .build_cartesian_2d(
            x_lo..x_hi,
            YAxis {
                inner: (y_lo..y_hi).into(),
                ticks,
            },
        )?;
    chart
        .configure_mesh()
        .x_labels(7)
        .x_label_formatter(&|v| format!("{} s", number(*v, 2)))
        .y_label_formatter(&|v| scale.label(*v, y_step))
        .label_style((FAMILY, 12).into_font().color(&MUTED))
        .axis_style(AXIS.stroke_width(1))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .draw()?;

    if all_runs.is_empty() {
        let centre = ((x_lo + x_hi) / 2.0, (y_lo + y_hi) / 2.0);
        chart.draw_series(std::iter::once(
            EmptyElement::at(centre)
                + Text::new(
                    "no data",
                    (0, 0),
                    (FAMILY, 14)
                        .into_font()
                        .color(&MUTED)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ),
        ))?;
    }
    for (colour, runs) in &lines {
        for run in runs {
            if let [point] = run.as_slice() {
                chart.draw_series(std::iter::once(Circle::new(*point, 2, colour.filled())))?;
            } else {
                chart.draw_series(LineSeries::new(run.iter().copied(), colour.stroke_width(2)))?;
            }
        }
    }
    let marker_font = (FAMILY, 11).into_font().color(&MARKER);
    for (i, m) in markers
        .iter()
        .filter(|m| m.at.is_finite() && m.at >= x_lo && m.at <= x_hi)
        .enumerate()
    {
        chart.draw_series(DashedLineSeries::new(
            [(m.at, y_lo), (m.at, y_hi)],
            5,
            4,
            MARKER.stroke_width(1),
        ))?;
        // Alternate rows so neighbouring events' labels do not overwrite each other.
        let row = (i % 2) as i32 * 13;
        chart.draw_series(std::iter::once(
            EmptyElement::at((m.at, y_hi))
                + Text::new(m.label.clone(), (4, 2 + row), marker_font.clone()),
        ))?;
    }
    draw_legend(&legend_area, panel, labels)
}

fn draw_legend(
    area: &Area,
    panel: &Panel,
    labels: &[&str],
) -> DrawResult<(), BitMapBackend<'static>> {
    let font = (FAMILY, 12).into_font().color(&TEXT);
    let line = 17;
    let mut y = 10;
    for s in panel.series.iter().take(LEGEND_MAX) {
        let colour = colour_of(labels, &s.label);
        area.draw(&Rectangle::new([(6, y + 5), (20, y + 8)], colour.filled()))?;
        area.draw(&Text::new(short(&s.label), (26, y), font.clone()))?;
        y += line;
    }
    if panel.series.len() > LEGEND_MAX {
        let more = format!("+{} more", panel.series.len() - LEGEND_MAX);
        area.draw(&Text::new(
            more,
            (26, y),
            (FAMILY, 12).into_font().color(&MUTED),
        ))?;
    }
    Ok(())
}

/// A legend label cut to fit the legend column.
fn short(label: &str) -> String {
    if label.chars().count() <= LEGEND_CHARS {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(LEGEND_CHARS - 1).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory removed when the test ends (also when it fails).
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!(
                "podsim-plot-{name}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const PODS: [&str; 3] = [
        "redis-ha-server-0",
        "redis-ha-server-1",
        "redis-ha-server-2",
    ];
    const KILL: f64 = 120.0;
    const FAILOVER: f64 = 135.0;

    fn times() -> impl Iterator<Item = f64> + Clone {
        (0..=60).map(|i| f64::from(i) * 5.0)
    }

    fn per_pod(f: impl Fn(usize, f64) -> f64) -> Vec<Series> {
        PODS.iter()
            .enumerate()
            .map(|(i, pod)| Series {
                label: pod.to_string(),
                points: times().map(|t| (t, f(i, t))).collect(),
            })
            .collect()
    }

    fn panel(title: &str, unit: Unit, series: Vec<Series>) -> Panel {
        Panel {
            title: title.to_string(),
            unit,
            series,
        }
    }

    /// A failover scenario as the live monitoring run sees it: server-0 is master until it is
    /// killed at 120 s, server-1 is promoted at 135 s, server-0 comes back as a replica at 180 s.
    fn scenario() -> (Vec<Panel>, Vec<Marker>) {
        let down = |i: usize, t: f64| i == 0 && (KILL..180.0).contains(&t);
        let mib = 1024.0 * 1024.0;
        // maxmemory is 1 GiB; a stopped pod reports nothing.
        let used_mib = |i: usize, t: f64| {
            if down(i, t) {
                f64::NAN
            } else {
                50.0 + t * 0.8 + i as f64 * 4.0
            }
        };
        let wave = |i: usize, t: f64| ((t / 17.0) + i as f64).sin();
        let panels = vec![
            panel(
                "Redis up",
                Unit::Bool,
                per_pod(|i, t| if down(i, t) { 0.0 } else { 1.0 }),
            ),
            panel(
                "Role master",
                Unit::Bool,
                per_pod(|i, t| match i {
                    0 if t < KILL => 1.0,
                    1 if t >= FAILOVER => 1.0,
                    _ if down(i, t) => f64::NAN,
                    _ => 0.0,
                }),
            ),
            panel(
                "Memory used",
                Unit::Bytes,
                per_pod(|i, t| used_mib(i, t) * mib),
            ),
            panel(
                "Memory used / maxmemory",
                Unit::Ratio,
                per_pod(|i, t| used_mib(i, t) / 1024.0),
            ),
            panel(
                "Commands per second",
                Unit::PerSecond,
                per_pod(|i, t| {
                    let master = (i == 0 && t < KILL) || (i == 1 && t >= FAILOVER);
                    if down(i, t) {
                        f64::NAN
                    } else if master {
                        12_000.0 + 800.0 * wave(i, t)
                    } else {
                        300.0 + 50.0 * wave(i, t)
                    }
                }),
            ),
            panel(
                "Connected clients",
                Unit::Count,
                per_pod(|i, t| if down(i, t) { 0.0 } else { 4.0 + i as f64 }),
            ),
            panel(
                "Replication backlog lag",
                Unit::Bytes,
                per_pod(|i, t| {
                    if i == 0 || (FAILOVER..FAILOVER + 20.0).contains(&t) {
                        0.0
                    } else {
                        2048.0 * (1.0 + wave(i, t))
                    }
                }),
            ),
            panel(
                "CPU",
                Unit::Percent,
                per_pod(|i, t| 20.0 + 10.0 * wave(i, t)),
            ),
            panel(
                "Keyspace hit ratio (0/0 before traffic)",
                Unit::Ratio,
                per_pod(|_, t| if t < 30.0 { f64::NAN } else { 0.9 }),
            ),
            panel(
                "Replica link up",
                Unit::Bool,
                per_pod(|i, t| match i {
                    0 if t < KILL => f64::NAN,
                    1 if t >= FAILOVER => f64::NAN,
                    _ if (KILL..FAILOVER + 10.0).contains(&t) => 0.0,
                    _ => 1.0,
                }),
            ),
            panel(
                "Commands by type",
                Unit::PerSecond,
                [
                    "set", "get", "incr", "ping", "info", "replconf", "select", "exec",
                ]
                .iter()
                .enumerate()
                .map(|(i, cmd)| Series {
                    label: format!("cmd=\"{cmd}\""),
                    points: times()
                        .map(|t| (t, 100.0 * (8 - i) as f64 + 20.0 * wave(i, t)))
                        .collect(),
                })
                .collect(),
            ),
            panel("Evicted keys per second", Unit::PerSecond, vec![]),
        ];
        let markers = vec![
            Marker {
                at: KILL,
                label: "master killed".into(),
            },
            Marker {
                at: FAILOVER,
                label: "failover".into(),
            },
        ];
        (panels, markers)
    }

    struct Decoded {
        width: u32,
        height: u32,
        rgb: Vec<u8>,
    }

    fn decode(path: &Path) -> Decoded {
        let file = std::fs::File::open(path).unwrap();
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .unwrap();
        let mut rgb = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut rgb).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        rgb.truncate(info.buffer_size());
        Decoded {
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    /// (pixels not white, pixels of a saturated colour) in one grid cell.
    fn ink(image: &Decoded, index: usize) -> (usize, usize) {
        let (col, row) = (index as u32 % COLUMNS, index as u32 / COLUMNS);
        let (x0, y0) = (col * PANEL_WIDTH, TITLE_HEIGHT + row * PANEL_HEIGHT);
        let (mut any, mut coloured) = (0, 0);
        for y in y0..y0 + PANEL_HEIGHT {
            for x in x0..x0 + PANEL_WIDTH {
                let at = ((y * image.width + x) * 3) as usize;
                let p = &image.rgb[at..at + 3];
                let (lo, hi) = (p.iter().min().unwrap(), p.iter().max().unwrap());
                if *lo < 250 {
                    any += 1;
                }
                if hi - lo > 60 {
                    coloured += 1;
                }
            }
        }
        (any, coloured)
    }

    #[test]
    fn renders_a_failover_dashboard() {
        let scratch = Scratch::new("dashboard");
        let out = scratch.0.join("dashboard.png");
        let (panels, markers) = scenario();
        assert_eq!(panels.len(), 12);
        render_png("redis-ha: failover, live", &panels, &markers, &out).unwrap();

        let image = decode(&out);
        assert_eq!((image.width, image.height), image_size(panels.len()));
        assert_eq!((image.width, image.height), (3 * 560, 44 + 4 * 300));
        for (i, p) in panels.iter().enumerate() {
            let (any, coloured) = ink(&image, i);
            assert!(any > 2000, "panel {:?} is nearly blank: {any}", p.title);
            if p.series.is_empty() {
                assert_eq!(coloured, 0, "empty panel {:?} has lines", p.title);
            } else {
                assert!(
                    coloured > 200,
                    "panel {:?} has no lines: {coloured}",
                    p.title
                );
            }
        }

        let first = std::fs::read(&out).unwrap();
        render_png("redis-ha: failover, live", &panels, &markers, &out).unwrap();
        assert_eq!(
            first,
            std::fs::read(&out).unwrap(),
            "same input, other bytes"
        );
        let left: Vec<_> = std::fs::read_dir(&scratch.0)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("dashboard.png")]);
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let scratch = Scratch::new("missing");
        let out = scratch.0.join("no-such-dir").join("plot.png");
        let (panels, markers) = scenario();
        let err = render_png("t", &panels, &markers, &out).unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert!(err.to_string().contains("no-such-dir"), "{err}");
        let err = render_png("t", &panels, &markers, Path::new("/")).unwrap_err();
        assert!(matches!(err, Error::Plot(_)), "{err}");
    }

    #[test]
    fn awkward_data_renders_without_error() {
        let scratch = Scratch::new("awkward");
        let out = scratch.0.join("awkward.png");
        let one = |label: &str, points: Vec<(f64, f64)>| Series {
            label: label.to_string(),
            points,
        };
        let panels = vec![
            panel("no series", Unit::Count, vec![]),
            panel("empty series", Unit::Bytes, vec![one("a", vec![])]),
            panel(
                "all NaN",
                Unit::Ratio,
                vec![one("a", vec![(0.0, f64::NAN), (5.0, f64::NAN)])],
            ),
            panel(
                "one point",
                Unit::Percent,
                vec![one("a", vec![(10.0, 42.0)])],
            ),
            panel(
                "constant",
                Unit::PerSecond,
                vec![one("a", vec![(0.0, 7.0), (5.0, 7.0), (10.0, 7.0)])],
            ),
            panel(
                "constant zero",
                Unit::Bool,
                vec![one("a", vec![(0.0, 0.0), (5.0, 0.0)])],
            ),
            panel(
                "huge bytes",
                Unit::Bytes,
                vec![one("a", vec![(0.0, 1e15), (5.0, 9e18), (10.0, 3e19)])],
            ),
            panel(
                "extremes",
                Unit::Count,
                vec![one(
                    "a",
                    vec![
                        (0.0, f64::MAX),
                        (1.0, -f64::MAX),
                        (2.0, f64::INFINITY),
                        (3.0, f64::NEG_INFINITY),
                        (f64::NAN, 1.0),
                        (f64::INFINITY, 1.0),
                        (4.0, 5e-324),
                    ],
                )],
            ),
            panel(
                "negative and tiny",
                Unit::Count,
                vec![one("a", vec![(0.0, -3.0), (5.0, 1e-9), (10.0, -1e-300)])],
            ),
            panel(
                "long labels",
                Unit::Count,
                (0..20)
                    .map(|i| one(&format!("a-very-long-label-{i}-éü…"), vec![(0.0, i as f64)]))
                    .collect(),
            ),
        ];
        let markers = vec![
            Marker {
                at: f64::NAN,
                label: "never".into(),
            },
            Marker {
                at: -1e308,
                label: "far before".into(),
            },
            Marker {
                at: 5.0,
                label: String::new(),
            },
        ];
        render_png("", &panels, &markers, &out).unwrap();
        let image = decode(&out);
        assert_eq!((image.width, image.height), image_size(panels.len()));
        render_png("nothing", &[], &[], &out).unwrap();
        assert_eq!((decode(&out).width, decode(&out).height), image_size(0));
    }

    #[test]
    fn a_missing_font_names_its_package() {
        let err = read_font(Path::new("/nonexistent/DejaVuSans.ttf")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/nonexistent/DejaVuSans.ttf"), "{text}");
        assert!(text.contains("fonts-dejavu-core"), "{text}");
        assert!(text.contains("scripts/install-test-tools.sh"), "{text}");
    }

    #[test]
    fn axis_labels_follow_the_unit() {
        let label = |unit, max: f64, v: f64| {
            let s = scale_for(unit, max);
            s.label(v / s.divisor, 0.01)
        };
        let mib = 1024.0 * 1024.0;
        assert_eq!(label(Unit::Bytes, 300.0 * mib, 150.0 * mib), "150 MiB");
        assert_eq!(label(Unit::Bytes, 1000.0, 512.0), "512 B");
        assert_eq!(
            label(Unit::Bytes, 3.0 * 1024.0 * mib, 1536.0 * mib),
            "1.5 GiB"
        );
        assert_eq!(label(Unit::Percent, 100.0, 42.0), "42%");
        assert_eq!(label(Unit::Ratio, 1.0, 0.425), "42.5%");
        assert_eq!(label(Unit::PerSecond, 12_000.0, 12_500.0), "12.5k/s");
        assert_eq!(label(Unit::PerSecond, 10.0, 2.5), "2.5/s");
        assert_eq!(label(Unit::Count, 5.0, 3.0), "3");
        assert_eq!(label(Unit::Bool, 1.0, 1.0), "1");
        assert_eq!(label(Unit::Bytes, 300.0 * mib, 0.0), "0 B");
        assert_eq!(label(Unit::PerSecond, 12_000.0, 0.0), "0/s");
        assert_eq!(scale_for(Unit::Count, 1.0).label(3.6e280, 1e296), "0");
        assert_eq!(number(-0.0001, 2), "0");
        assert_eq!(number(100.0, 0), "100");
        assert_eq!(number(2.5, decimals(2.5)), "2.5");
        assert_eq!(number(0.000002, decimals(0.000002)), "0.000002");
        assert_eq!(number(5.5e-17, decimals(0.2)), "0");
        assert_eq!(number(1.8e296, 2), "1.80e296");
        assert_eq!(short("redis-ha-server-0"), "redis-ha-server-0");
        assert_eq!(
            short("a-label-longer-than-the-column"),
            "a-label-longer-tha…"
        );
    }
}
