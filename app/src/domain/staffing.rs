//! Staffing of the full-time assistant posts (专职低保员岗位) by town:
//! the figures the dashboard and the staffing summary document show.

use serde::{Deserialize, Serialize};

/// The kind of a township-level unit (镇街).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TownKind {
    /// 街道: an urban subdistrict.
    Street,
    /// 镇: a town.
    Town,
}

impl TownKind {
    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            TownKind::Street => "street",
            TownKind::Town => "town",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<TownKind> {
        match code {
            "street" => Some(TownKind::Street),
            "town" => Some(TownKind::Town),
            _ => None,
        }
    }
}

/// One town's figures in force on a date, with its current number of posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownStaffing {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: TownKind,
    /// 社区: urban residents' committees.
    pub communities: u32,
    /// 村委会: villagers' committees.
    pub villages: u32,
    /// 户籍人口: registered population.
    pub population: u64,
    /// Assistance recipients by category.
    pub recipients: Recipients,
    /// 专职低保员岗位 in force.
    pub posts: u32,
}

/// Assistance recipients (persons) by category, as a town reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipients {
    /// 城乡低保 (minimum living allowance, urban and rural).
    pub dibao: u32,
    /// 特困供养 (persons in extreme poverty under state support).
    pub tekun: u32,
    /// 低保边缘 (households just above the allowance line).
    pub marginal: u32,
    /// 支出型困难 (hardship from essential spending such as illness).
    pub expense: u32,
}

impl Recipients {
    /// All four categories together.
    pub fn total(&self) -> u64 {
        u64::from(self.dibao) + u64::from(self.tekun) + u64::from(self.marginal) + u64::from(self.expense)
    }
}

impl TownStaffing {
    /// Registered residents per post, rounded half up to a whole person;
    /// `None` for a town without posts.
    pub fn population_per_post(&self) -> Option<u64> {
        per_post(self.population, self.posts)
    }
}

/// Sums over a district's towns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffingTotals {
    pub towns: u32,
    /// Of which 街道.
    pub streets: u32,
    /// Of which 镇.
    pub townships: u32,
    pub communities: u32,
    pub villages: u32,
    pub population: u64,
    pub recipients: u64,
    pub posts: u32,
}

impl StaffingTotals {
    /// Registered residents per post over the district.
    pub fn population_per_post(&self) -> Option<u64> {
        per_post(self.population, self.posts)
    }
}

/// Adds up the towns' figures.
pub fn totals(towns: &[TownStaffing]) -> StaffingTotals {
    towns.iter().fold(StaffingTotals::default(), |mut t, town| {
        t.towns += 1;
        match town.kind {
            TownKind::Street => t.streets += 1,
            TownKind::Town => t.townships += 1,
        }
        t.communities += town.communities;
        t.villages += town.villages;
        t.population += town.population;
        t.recipients += town.recipients.total();
        t.posts += town.posts;
        t
    })
}

/// Towns whose name (Chinese or English) contains `query`, ignoring case
/// and surrounding spaces; an empty query keeps every town.
pub fn filter_towns<'a>(towns: &'a [TownStaffing], query: &str) -> Vec<&'a TownStaffing> {
    let q = query.trim().to_lowercase();
    towns
        .iter()
        .filter(|t| q.is_empty() || t.name.contains(&q) || t.name_en.to_lowercase().contains(&q))
        .collect()
}

fn per_post(population: u64, posts: u32) -> Option<u64> {
    let posts = u64::from(posts);
    (posts > 0).then(|| (population + posts / 2) / posts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn town(name: &str, kind: TownKind, population: u64, posts: u32) -> TownStaffing {
        TownStaffing {
            code: name.to_owned(),
            name: name.to_owned(),
            name_en: format!("{name} en"),
            kind,
            communities: 2,
            villages: 1,
            population,
            recipients: Recipients { dibao: 10, tekun: 2, marginal: 3, expense: 1 },
            posts,
        }
    }

    #[test]
    fn totals_add_every_figure_and_count_kinds() {
        let towns = [
            town("甲街道", TownKind::Street, 40_300, 10),
            town("乙镇", TownKind::Town, 8_000, 2),
            town("丙镇", TownKind::Town, 1, 0),
        ];
        let t = totals(&towns);
        assert_eq!(
            t,
            StaffingTotals {
                towns: 3,
                streets: 1,
                townships: 2,
                communities: 6,
                villages: 3,
                population: 48_301,
                recipients: 48,
                posts: 12,
            }
        );
        assert_eq!(totals(&[]), StaffingTotals::default());
    }

    #[test]
    fn residents_per_post_rounds_half_up_and_skips_empty_towns() {
        assert_eq!(town("a", TownKind::Town, 40_300, 10).population_per_post(), Some(4_030));
        assert_eq!(town("a", TownKind::Town, 5, 2).population_per_post(), Some(3));
        assert_eq!(town("a", TownKind::Town, 4, 3).population_per_post(), Some(1));
        assert_eq!(town("a", TownKind::Town, 1_000, 0).population_per_post(), None);
    }

    #[test]
    fn filter_matches_either_language_case_insensitively() {
        let towns = [town("滨江街道", TownKind::Street, 1, 1), town("双河镇", TownKind::Town, 1, 1)];
        assert_eq!(filter_towns(&towns, "").len(), 2);
        assert_eq!(filter_towns(&towns, " 双河 ")[0].name, "双河镇");
        assert_eq!(filter_towns(&towns, "街道 EN")[0].name, "滨江街道");
        assert!(filter_towns(&towns, "不存在").is_empty());
    }

    #[test]
    fn kind_codes_round_trip() {
        for k in [TownKind::Street, TownKind::Town] {
            assert_eq!(TownKind::from_code(k.code()), Some(k));
        }
        assert_eq!(TownKind::from_code("village"), None);
    }
}
