//! Charts as pictures, drawn with plotters: SVG for the web pages, PNG for
//! Discord. Text is drawn with DejaVu Sans, compiled into the binary
//! (`assets/fonts/`, Bitstream Vera licence beside it) and registered with
//! plotters' `ab_glyph` backend, so no system font is ever looked up.
//!
//! Charts are cached by a hash of what they draw: a chart is redrawn only
//! when its data changed (and the cache is bounded).
//!
//! Titles and weekday names are in the chart's locale (`web.ftl`). An SVG's
//! text is drawn by the browser, in any script; a PNG's by our font, which
//! has no Korean or Chinese glyphs, so those PNGs keep English words
//! ([`png_labels`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::l10n::Locale;
use crate::ladder::site::{Activity, RatingPoint, SeasonSummary};

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// Cached charts: beyond this many the cache starts over.
const CACHE_ENTRIES: usize = 512;
pub const RATING_SIZE: (u32, u32) = (800, 320);
pub const ACTIVITY_SIZE: (u32, u32) = (800, 440);
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];
const DAY_MS: i64 = 86_400_000;

/// The weekdays' message ids, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "web-mon", "web-tue", "web-wed", "web-thu", "web-fri", "web-sat", "web-sun",
];
/// Every message a chart draws.
const CHART_TEXT: [&str; 3] = ["web-chart-rating", "web-chart-hours", "web-chart-days"];

/// The locale a PNG's words are drawn in: `locale` if DejaVu Sans has its
/// letters (it covers Latin, Greek and Cyrillic: below U+0530), else English
/// rather than empty boxes.
pub fn png_labels(locale: Locale) -> Locale {
    let covered = CHART_TEXT
        .iter()
        .chain(WEEKDAYS.iter())
        .all(|id| locale.text(id, &[]).chars().all(|c| u32::from(c) < 0x530));
    if covered { locale } else { Locale::ENGLISH }
}

/// Why a chart could not be drawn (plotters' error, as text).
#[derive(Debug, thiserror::Error)]
#[error("chart: {0}")]
pub struct ChartError(String);

fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    let mut s = format!("{e:?}");
    s.truncate(200);
    ChartError(s)
}

fn fonts() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        // The font is ours and valid; a failure would only leave text out.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// The rating history of one player, one line per race, with a dashed
/// vertical line where each season started.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingChart {
    pub points: Vec<RatingPoint>,
    pub seasons: Vec<SeasonSummary>,
    /// The language of its title.
    pub locale: Locale,
}

impl RatingChart {
    fn key(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        1u8.hash(&mut h);
        self.locale.hash(&mut h);
        for p in &self.points {
            (p.at, p.season_id, &p.race, p.rating.to_bits()).hash(&mut h);
        }
        for s in &self.seasons {
            (s.id, s.started_at).hash(&mut h);
        }
        h.finish()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        labels: Locale,
    ) -> Result<(), ChartError> {
        root.fill(&WHITE).map_err(err)?;
        let (t0, t1) = match (self.points.first(), self.points.last()) {
            (Some(a), Some(b)) => (a.at, b.at.max(a.at + DAY_MS)),
            _ => (0, DAY_MS),
        };
        let lo = self
            .points
            .iter()
            .map(|p| p.rating)
            .fold(f64::MAX, f64::min);
        let hi = self
            .points
            .iter()
            .map(|p| p.rating)
            .fold(f64::MIN, f64::max);
        let (lo, hi) = if lo <= hi {
            (lo - 25.0, hi + 25.0)
        } else {
            (1400.0, 1600.0)
        };
        let mut chart = ChartBuilder::on(root)
            .caption(labels.text("web-chart-rating", &[]), ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(48)
            .build_cartesian_2d(t0..t1, lo..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(6)
            .max_light_lines(1)
            .x_label_formatter(&|t| date(*t))
            .y_label_formatter(&|r| format!("{r:.0}"))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        for s in &self.seasons {
            if s.started_at > t0 && s.started_at < t1 {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(s.started_at, lo), (s.started_at, hi)],
                        6,
                        4,
                        BLACK.mix(0.5).stroke_width(1),
                    ))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        s.name.clone(),
                        (s.started_at, hi),
                        ("sans-serif", 11),
                    )))
                    .map_err(err)?;
            }
        }
        let mut races: Vec<&str> = self.points.iter().map(|p| p.race.as_str()).collect();
        races.sort_unstable();
        races.dedup();
        for (i, race) in races.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let line = self
                .points
                .iter()
                .filter(|p| p.race == *race)
                .map(|p| (p.at, p.rating));
            chart
                .draw_series(LineSeries::new(line, color.stroke_width(2)))
                .map_err(err)?
                .label(race.to_string())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
        }
        if !races.is_empty() {
            chart
                .configure_series_labels()
                .label_font(("sans-serif", 12))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.4))
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)
    }
}

/// When the ladder is busy: matches found by hour of the week, and games
/// per day, one panel each.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityChart {
    pub activity: Activity,
    /// The language of its titles and weekdays.
    pub locale: Locale,
}

impl ActivityChart {
    fn key(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        2u8.hash(&mut h);
        self.locale.hash(&mut h);
        self.activity.by_hour_of_week.hash(&mut h);
        self.activity.per_day.hash(&mut h);
        h.finish()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        labels: Locale,
    ) -> Result<(), ChartError> {
        root.fill(&WHITE).map_err(err)?;
        let (top, bottom) = root.split_vertically(root.dim_in_pixel().1 / 2);
        let weekdays = WEEKDAYS.map(|id| labels.text(id, &[]));
        let hours = &self.activity.by_hour_of_week;
        let max_h = f64::from(hours.iter().copied().max().unwrap_or(0).max(1));
        let mut chart = ChartBuilder::on(&top)
            .caption(labels.text("web-chart-hours", &[]), ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(24)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..168f64, 0f64..max_h * 1.05)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(1)
            .x_labels(8)
            .y_labels(4)
            .x_label_formatter(&|h| {
                let d = (*h as usize / 24).min(6);
                weekdays[d].clone()
            })
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(hours.iter().enumerate().map(|(h, n)| {
                Rectangle::new(
                    [(h as f64, 0.0), (h as f64 + 0.85, f64::from(*n))],
                    PALETTE[0].filled(),
                )
            }))
            .map_err(err)?;
        let days = &self.activity.per_day;
        let (d0, d1) = match (days.first(), days.last()) {
            (Some(a), Some(b)) => (a.0, b.0 + DAY_MS),
            _ => (0, DAY_MS),
        };
        let max_d = f64::from(days.iter().map(|d| d.1).max().unwrap_or(0).max(1));
        let mut chart = ChartBuilder::on(&bottom)
            .caption(labels.text("web-chart-days", &[]), ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(24)
            .y_label_area_size(40)
            .build_cartesian_2d(d0..d1, 0f64..max_d * 1.05)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(1)
            .x_labels(6)
            .y_labels(4)
            .x_label_formatter(&|t| date(*t))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(days.iter().map(|(at, n)| {
                Rectangle::new(
                    [(*at, 0.0), (*at + DAY_MS * 8 / 10, f64::from(*n))],
                    PALETTE[2].filled(),
                )
            }))
            .map_err(err)?;
        root.present().map_err(err)
    }
}

/// `YYYY-MM-DD` of a UTC time.
fn date(ms: i64) -> String {
    let (y, m, d) = crate::ladder::time::civil(ms);
    format!("{y:04}-{m:02}-{d:02}")
}

fn svg_of(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    fonts();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root)?;
    }
    Ok(out)
}

fn png_of(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<(), ChartError>,
) -> Result<Vec<u8>, ChartError> {
    fonts();
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        draw(&root)?;
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, size.0, size.1);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(err)?;
        w.write_image_data(&rgb).map_err(err)?;
    }
    Ok(out)
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Format {
    Svg,
    Png,
}

/// Drawn charts by (what they draw, format).
type Drawn = HashMap<(u64, Format), Arc<Vec<u8>>>;

/// The chart cache.
#[derive(Default)]
pub struct ChartCache {
    drawn: Mutex<Drawn>,
    draws: std::sync::atomic::AtomicU64,
}

impl ChartCache {
    fn get_or_draw(
        &self,
        key: (u64, Format),
        draw: impl FnOnce() -> Result<Vec<u8>, ChartError>,
    ) -> Result<Arc<Vec<u8>>, ChartError> {
        if let Some(hit) = self.lock().get(&key) {
            return Ok(hit.clone());
        }
        let drawn = Arc::new(draw()?);
        self.draws
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut map = self.lock();
        if map.len() >= CACHE_ENTRIES {
            map.clear();
        }
        map.insert(key, drawn.clone());
        Ok(drawn)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Drawn> {
        self.drawn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Charts drawn so far (cache misses).
    pub fn draws(&self) -> u64 {
        self.draws.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn rating_svg(&self, c: &RatingChart) -> Result<Arc<Vec<u8>>, ChartError> {
        self.get_or_draw((c.key(), Format::Svg), || {
            svg_of(RATING_SIZE, |r| c.draw(r, c.locale)).map(String::into_bytes)
        })
    }

    pub fn rating_png(&self, c: &RatingChart) -> Result<Arc<Vec<u8>>, ChartError> {
        self.get_or_draw((c.key(), Format::Png), || {
            png_of(RATING_SIZE, |r| c.draw(r, png_labels(c.locale)))
        })
    }

    pub fn activity_svg(&self, c: &ActivityChart) -> Result<Arc<Vec<u8>>, ChartError> {
        self.get_or_draw((c.key(), Format::Svg), || {
            svg_of(ACTIVITY_SIZE, |r| c.draw(r, c.locale)).map(String::into_bytes)
        })
    }

    pub fn activity_png(&self, c: &ActivityChart) -> Result<Arc<Vec<u8>>, ChartError> {
        self.get_or_draw((c.key(), Format::Png), || {
            png_of(ACTIVITY_SIZE, |r| c.draw(r, png_labels(c.locale)))
        })
    }
}

/// The charts the Discord layer attaches share one cache.
pub fn shared() -> &'static ChartCache {
    static CACHE: OnceLock<ChartCache> = OnceLock::new();
    CACHE.get_or_init(ChartCache::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded() -> RatingChart {
        let mut points = Vec::new();
        let mut r = [1500.0f64, 1500.0];
        // A fixed pseudo-random walk: two races over 90 days, two seasons.
        let mut x: u64 = 7;
        for i in 0..120i64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let k = (i % 2) as usize;
            r[k] += ((x >> 33) % 41) as f64 - 20.0;
            points.push(RatingPoint {
                at: 1_700_000_000_000 + i * 18 * 3_600_000,
                season_id: if i < 60 { 1 } else { 2 },
                race: ["P", "Z"][k].into(),
                rating: r[k],
            });
        }
        let seasons = vec![
            SeasonSummary {
                id: 2,
                name: "Season 2".into(),
                started_at: 1_700_000_000_000 + 60 * 18 * 3_600_000 - 1,
                ended_at: None,
                rated: 2,
            },
            SeasonSummary {
                id: 1,
                name: "Season 1".into(),
                started_at: 1_690_000_000_000,
                ended_at: Some(1_700_000_000_000 + 60 * 18 * 3_600_000 - 2),
                rated: 2,
            },
        ];
        RatingChart {
            points,
            seasons,
            locale: Locale::ENGLISH,
        }
    }

    /// Decodes `bytes`; returns (width, height, distinct colours, share of
    /// non-white pixels).
    fn decode(bytes: &[u8]) -> (u32, u32, usize, f64) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("a PNG header");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("a PNG frame");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let px: Vec<&[u8]> = buf[..info.buffer_size()].chunks(3).collect();
        let colours: std::collections::HashSet<&[u8]> = px.iter().copied().collect();
        let ink = px.iter().filter(|p| **p != [255, 255, 255]).count();
        (
            info.width,
            info.height,
            colours.len(),
            ink as f64 / px.len() as f64,
        )
    }

    #[test]
    fn rating_png_decodes_with_lines_and_text() {
        let cache = ChartCache::default();
        let png = cache.rating_png(&seeded()).unwrap();
        let (w, h, colours, ink) = decode(&png);
        assert_eq!((w, h), RATING_SIZE);
        // Two race colours, black text and anti-aliased edges at least.
        assert!(
            colours > 8,
            "{colours} colours: a blank or one-colour chart"
        );
        assert!(ink > 0.01 && ink < 0.6, "ink share {ink}");
        // Each race's colour is drawn.
        let decoder = png::Decoder::new(std::io::Cursor::new(&png[..]));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        reader.next_frame(&mut buf).unwrap();
        for c in &PALETTE[..2] {
            assert!(
                buf.chunks(3).any(|p| p == [c.0, c.1, c.2]),
                "no pixel of {c:?}"
            );
        }
    }

    #[test]
    fn activity_png_decodes_and_is_not_blank() {
        let mut by_hour_of_week = [0u32; 168];
        for (h, n) in by_hour_of_week.iter_mut().enumerate() {
            *n = (h % 24) as u32;
        }
        let per_day = (0..60).map(|d| (d * DAY_MS, (d % 7) as u32)).collect();
        let chart = ActivityChart {
            activity: Activity {
                by_hour_of_week,
                per_day,
            },
            locale: Locale::ENGLISH,
        };
        let png = ChartCache::default().activity_png(&chart).unwrap();
        let (w, h, colours, ink) = decode(&png);
        assert_eq!((w, h), ACTIVITY_SIZE);
        assert!(colours > 8 && ink > 0.02, "{colours} colours, ink {ink}");
    }

    #[test]
    fn a_chart_is_drawn_once_until_its_data_changes() {
        let cache = ChartCache::default();
        let mut c = seeded();
        let a = cache.rating_svg(&c).unwrap();
        let b = cache.rating_svg(&c).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(cache.draws(), 1);
        let svg = String::from_utf8(a.to_vec()).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("Season 2"),
            "{}",
            &svg[..200]
        );
        c.points.pop();
        cache.rating_svg(&c).unwrap();
        assert_eq!(cache.draws(), 2);
    }

    #[test]
    fn an_empty_history_still_draws() {
        let c = RatingChart {
            points: Vec::new(),
            seasons: Vec::new(),
            locale: Locale::ENGLISH,
        };
        let png = ChartCache::default().rating_png(&c).unwrap();
        assert_eq!(decode(&png).0, RATING_SIZE.0);
    }

    #[test]
    fn charts_speak_the_readers_language_where_the_font_can() {
        let cache = ChartCache::default();
        let mut c = seeded();
        let english = String::from_utf8(cache.rating_svg(&c).unwrap().to_vec()).unwrap();
        assert!(english.contains("Rating by race"));
        for (code, title) in [("ko", "종족별 레이팅"), ("ru", "Рейтинг по расам")]
        {
            c.locale = Locale::from_tag(code).unwrap();
            let svg = String::from_utf8(cache.rating_svg(&c).unwrap().to_vec()).unwrap();
            assert!(
                svg.contains(title),
                "{code}: a cached chart of another language?"
            );
        }
        let activity = ActivityChart {
            activity: Activity {
                by_hour_of_week: [1; 168],
                per_day: vec![(0, 1)],
            },
            locale: Locale::from_tag("de").unwrap(),
        };
        let svg = String::from_utf8(cache.activity_svg(&activity).unwrap().to_vec()).unwrap();
        assert!(
            svg.contains("Spiele pro Tag") && svg.contains("\nMi\n"),
            "{svg}"
        );
        // PNGs: Cyrillic is in the font, Hangul and Han are not.
        assert_eq!(png_labels(Locale::from_tag("ru").unwrap()).code(), "ru");
        assert_eq!(png_labels(Locale::from_tag("ko").unwrap()), Locale::ENGLISH);
        assert_eq!(png_labels(Locale::from_tag("zh").unwrap()), Locale::ENGLISH);
        assert_eq!(png_labels(Locale::from_tag("fr").unwrap()).code(), "fr");
    }
}
