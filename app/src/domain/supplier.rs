//! Suppliers (承接主体) of purchased services: who may supply under
//! 财政部令第102号 (REFERENCE.md §3, arts. 6 and 8), the 统一社会信用代码
//! check of GB 32100-2015 (§5), and the facts that bar a supplier from an
//! award (blacklist, lapsed qualifications).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The 31 characters of a credit code, valued 0–30 in this order (no I, O,
/// S, V, Z).
const CREDIT_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17: 3^i mod 31.
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Weights of the embedded 组织机构代码 (positions 9–16).
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A checked 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CreditCode(String);

/// Why a text is not a credit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreditCodeProblem {
    /// Not 18 characters.
    Length,
    /// A character outside the code's alphabet (position 1-based), or a
    /// letter where the division code needs digits.
    Character(usize),
    /// The 18th character does not match the first 17.
    Checksum,
    /// The embedded organisation code's own check (9th of its 9) fails.
    OrgChecksum,
}

fn credit_value(c: char) -> Option<u32> {
    CREDIT_CHARS.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters (all of the code's
/// alphabet).
pub fn credit_check_character(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.chars().zip(CREDIT_WEIGHTS) {
        sum += credit_value(c)? * w;
    }
    let v = (31 - sum % 31) % 31;
    CREDIT_CHARS.chars().nth(v as usize)
}

fn org_check_character(first8: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first8.chars().zip(ORG_WEIGHTS) {
        sum += c.to_digit(36)? * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        v => char::from_digit(v, 10),
    }
}

impl CreditCode {
    /// Parses a code, ignoring surrounding spaces and letter case.
    pub fn parse(text: &str) -> Result<CreditCode, CreditCodeProblem> {
        let code = text.trim().to_uppercase();
        let chars: Vec<char> = code.chars().collect();
        if chars.len() != 18 {
            return Err(CreditCodeProblem::Length);
        }
        for (i, c) in chars.iter().enumerate() {
            let ok = if (2..8).contains(&i) { c.is_ascii_digit() } else { credit_value(*c).is_some() };
            if !ok {
                return Err(CreditCodeProblem::Character(i + 1));
            }
        }
        if credit_check_character(&code[..17]) != Some(chars[17]) {
            return Err(CreditCodeProblem::Checksum);
        }
        if org_check_character(&code[8..16]) != Some(chars[16]) {
            return Err(CreditCodeProblem::OrgChecksum);
        }
        Ok(CreditCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The kinds of organisation 102号令 names, allowed or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrgType {
    /// 企业 (art. 6).
    Company,
    /// 社会组织: 社会团体, 社会服务机构 (民办非企业单位), 基金会 (art. 6).
    SocialOrganisation,
    /// 公益二类事业单位 (art. 6).
    PublicWelfareClassTwo,
    /// 生产经营类事业单位 (art. 6).
    BusinessInstitution,
    /// 农村集体经济组织 (art. 6).
    RuralCollective,
    /// 基层群众性自治组织: 村民委员会, 居民委员会 (art. 6).
    Grassroots,
    /// 具备条件的个人 (art. 6).
    Individual,
    /// 公益一类事业单位: neither buys nor supplies (art. 8).
    PublicWelfareClassOne,
    /// 使用事业编制且由财政拨款保障的群团组织 (art. 8).
    BudgetFundedMassOrganisation,
}

impl OrgType {
    pub const ALL: [OrgType; 9] = [
        OrgType::SocialOrganisation,
        OrgType::Company,
        OrgType::PublicWelfareClassTwo,
        OrgType::BusinessInstitution,
        OrgType::RuralCollective,
        OrgType::Grassroots,
        OrgType::Individual,
        OrgType::PublicWelfareClassOne,
        OrgType::BudgetFundedMassOrganisation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrgType::Company => "company",
            OrgType::SocialOrganisation => "social_organisation",
            OrgType::PublicWelfareClassTwo => "public_welfare_2",
            OrgType::BusinessInstitution => "business_institution",
            OrgType::RuralCollective => "rural_collective",
            OrgType::Grassroots => "grassroots",
            OrgType::Individual => "individual",
            OrgType::PublicWelfareClassOne => "public_welfare_1",
            OrgType::BudgetFundedMassOrganisation => "budget_funded_mass_org",
        }
    }

    pub fn from_code(code: &str) -> Option<OrgType> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// May this kind of organisation supply services (art. 6, art. 8)?
    pub fn may_supply(self) -> bool {
        !matches!(self, OrgType::PublicWelfareClassOne | OrgType::BudgetFundedMassOrganisation)
    }

    /// The kinds a supplier may be registered as, in the order forms list
    /// them.
    pub fn allowed() -> impl Iterator<Item = OrgType> {
        Self::ALL.into_iter().filter(|t| t.may_supply())
    }

    pub fn zh(self) -> &'static str {
        match self {
            OrgType::Company => "企业",
            OrgType::SocialOrganisation => "社会组织",
            OrgType::PublicWelfareClassTwo => "公益二类事业单位",
            OrgType::BusinessInstitution => "生产经营类事业单位",
            OrgType::RuralCollective => "农村集体经济组织",
            OrgType::Grassroots => "基层群众性自治组织",
            OrgType::Individual => "个人",
            OrgType::PublicWelfareClassOne => "公益一类事业单位",
            OrgType::BudgetFundedMassOrganisation => "财政拨款保障的群团组织",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            OrgType::Company => "Company",
            OrgType::SocialOrganisation => "Social organisation",
            OrgType::PublicWelfareClassTwo => "Public institution (class 2)",
            OrgType::BusinessInstitution => "Business-type public institution",
            OrgType::RuralCollective => "Rural collective economic organisation",
            OrgType::Grassroots => "Village or residents' committee",
            OrgType::Individual => "Individual",
            OrgType::PublicWelfareClassOne => "Public institution (class 1)",
            OrgType::BudgetFundedMassOrganisation => "Budget-funded mass organisation",
        }
    }
}

/// Longest name, address or clause kept, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// A supplier as entered on the form or through the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SupplierInput {
    pub name: String,
    pub credit_code: String,
    pub org_type: String,
    pub legal_representative: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub address: String,
    pub bank_name: String,
    pub bank_account: String,
}

/// What is wrong with a supplier, field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SupplierProblem {
    NameRequired,
    TooLong(SupplierField),
    CreditCode(CreditCodeProblem),
    /// An organisation type 102号令 does not let supply (art. 8), or an
    /// unknown one.
    OrgTypeNotAllowed,
    LegalRepresentativeRequired,
    Phone,
    BankAccount,
    /// Another supplier of the district has this credit code.
    DuplicateCreditCode,
    /// A qualification needs a name; its expiry, when given, a valid date.
    Qualification,
    /// Blacklisting needs a reason.
    ReasonRequired,
}

/// The supplier fields a problem can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SupplierField {
    Name,
    LegalRepresentative,
    Contact,
    Address,
    Bank,
}

/// A supplier's checked fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplier {
    pub name: String,
    pub credit_code: CreditCode,
    pub org_type: OrgType,
    pub legal_representative: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub address: String,
    pub bank_name: String,
    pub bank_account: String,
}

fn bounded(text: &str, field: SupplierField) -> Result<String, SupplierProblem> {
    let t = text.trim();
    if t.chars().count() > MAX_TEXT_CHARS { Err(SupplierProblem::TooLong(field)) } else { Ok(t.to_owned()) }
}

/// Checks a supplier at the boundary. Every supplier, individuals included,
/// is identified by a credit code: individual businesses (个体工商户) hold
/// one too, and a person without one cannot be paid as a supplier here.
pub fn check_supplier(input: &SupplierInput) -> Result<Supplier, SupplierProblem> {
    let name = bounded(&input.name, SupplierField::Name)?;
    if name.is_empty() {
        return Err(SupplierProblem::NameRequired);
    }
    let credit_code = CreditCode::parse(&input.credit_code).map_err(SupplierProblem::CreditCode)?;
    let org_type = OrgType::from_code(input.org_type.trim())
        .filter(|t| t.may_supply())
        .ok_or(SupplierProblem::OrgTypeNotAllowed)?;
    let legal_representative = bounded(&input.legal_representative, SupplierField::LegalRepresentative)?;
    if legal_representative.is_empty() {
        return Err(SupplierProblem::LegalRepresentativeRequired);
    }
    let phone = input.contact_phone.trim();
    let phone_ok = phone.is_empty()
        || (phone.len() <= 20
            && phone.chars().filter(char::is_ascii_digit).count() >= 7
            && phone.chars().all(|c| c.is_ascii_digit() || "-+ ()".contains(c)));
    if !phone_ok {
        return Err(SupplierProblem::Phone);
    }
    let account: String = input.bank_account.chars().filter(|c| !c.is_whitespace()).collect();
    if !account.is_empty() && !(8..=32).contains(&account.len())
        || !account.chars().all(|c| c.is_ascii_digit())
    {
        return Err(SupplierProblem::BankAccount);
    }
    Ok(Supplier {
        name,
        credit_code,
        org_type,
        legal_representative,
        contact_name: bounded(&input.contact_name, SupplierField::Contact)?,
        contact_phone: phone.to_owned(),
        address: bounded(&input.address, SupplierField::Address)?,
        bank_name: bounded(&input.bank_name, SupplierField::Bank)?,
        bank_account: account,
    })
}

/// A qualification (资质) a supplier holds, possibly expiring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualification {
    pub name: String,
    pub number: String,
    pub expires_on: Option<NaiveDate>,
}

impl Qualification {
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.expires_on.is_none_or(|e| e >= day)
    }
}

/// Checks a qualification's fields.
pub fn check_qualification(q: &Qualification) -> Result<Qualification, SupplierProblem> {
    let name = q.name.trim();
    if name.is_empty() || name.chars().count() > MAX_TEXT_CHARS || q.number.chars().count() > MAX_TEXT_CHARS {
        return Err(SupplierProblem::Qualification);
    }
    Ok(Qualification { name: name.to_owned(), number: q.number.trim().to_owned(), expires_on: q.expires_on })
}

/// Why a supplier may not be awarded or contracted on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ineligible {
    /// On the blacklist (失信名单), with the recorded reason.
    Blacklisted(String),
    /// A qualification lapsed before the day (its name).
    QualificationExpired(String),
    /// Registered without a credit code (an organisation from before this
    /// register) or as a type that may not supply.
    NotRegistered,
}

/// The facts about a supplier that decide whether it may be awarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub registered: bool,
    pub blacklist_reason: Option<String>,
    pub qualifications: Vec<Qualification>,
}

/// May the supplier be awarded or contracted on `day`?
pub fn check_standing(s: &Standing, day: NaiveDate) -> Result<(), Ineligible> {
    if let Some(reason) = &s.blacklist_reason {
        return Err(Ineligible::Blacklisted(reason.clone()));
    }
    if !s.registered {
        return Err(Ineligible::NotRegistered);
    }
    if let Some(q) = s.qualifications.iter().find(|q| !q.valid_on(day)) {
        return Err(Ineligible::QualificationExpired(q.name.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Makes a valid code from 16 characters by appending both checks.
    fn complete(first16: &str) -> String {
        let org = org_check_character(&first16[8..16]).expect("org check");
        let first17 = format!("{first16}{org}");
        let check = credit_check_character(&first17).expect("check");
        format!("{first17}{check}")
    }

    #[test]
    fn the_reference_code_passes_both_checks() {
        let c = CreditCode::parse("91350100M000100Y43").expect("valid");
        assert_eq!(c.as_str(), "91350100M000100Y43");
        assert_eq!(CreditCode::parse(" 91350100m000100y43 ").expect("case and spaces"), c);
    }

    #[test]
    fn codes_built_by_the_rule_pass() {
        for first16 in ["52500000MJP12345", "91500112MA5U0000", "12500000A0000000", "N2500112MF100000"] {
            let code = complete(first16);
            assert_eq!(CreditCode::parse(&code).map(|c| c.0), Ok(code.clone()), "{code}");
        }
    }

    #[test]
    fn invalid_codes_say_why() {
        assert_eq!(CreditCode::parse(""), Err(CreditCodeProblem::Length));
        assert_eq!(CreditCode::parse("91350100M000100Y4"), Err(CreditCodeProblem::Length));
        assert_eq!(CreditCode::parse("91350100M000100Y433"), Err(CreditCodeProblem::Length));
        // The last character changed.
        assert_eq!(CreditCode::parse("91350100M000100Y44"), Err(CreditCodeProblem::Checksum));
        // Two characters swapped.
        assert_eq!(CreditCode::parse("93150100M000100Y43"), Err(CreditCodeProblem::Checksum));
        // Letters outside the alphabet, and letters in the division code.
        assert_eq!(CreditCode::parse("9135010OM000100Y43"), Err(CreditCodeProblem::Character(8)));
        assert_eq!(CreditCode::parse("I1350100M000100Y43"), Err(CreditCodeProblem::Character(1)));
        assert_eq!(CreditCode::parse("913501Z0M000100Y43"), Err(CreditCodeProblem::Character(7)));
        assert_eq!(CreditCode::parse("91350100M000100Y4中"), Err(CreditCodeProblem::Character(18)));
        // Right 18th character for a wrong embedded organisation code: the
        // reference code's 17th character changed and the 18th recomputed.
        let bad_org = "91350100M000100Y5";
        let check = credit_check_character(bad_org).expect("check");
        assert_eq!(CreditCode::parse(&format!("{bad_org}{check}")), Err(CreditCodeProblem::OrgChecksum));
    }

    /// The check value wraps: 31 becomes 0, so codes ending in 0 exist,
    /// as do codes ending in the last character of the alphabet (Y).
    #[test]
    fn check_characters_at_both_ends_of_the_alphabet_parse() {
        let mut ends = std::collections::BTreeSet::new();
        for n in 0..2000u32 {
            let code = complete(&format!("9150011{:01}MA5U{:04}", n % 10, n));
            let last = code.chars().last().expect("check");
            if last == '0' || last == 'Y' {
                assert_eq!(CreditCode::parse(&code).map(|c| c.0), Ok(code.clone()), "{code}");
                ends.insert(last);
            }
        }
        assert_eq!(ends.into_iter().collect::<String>(), "0Y");
    }

    fn input() -> SupplierInput {
        SupplierInput {
            name: " 渝助社会工作服务中心 ".into(),
            credit_code: "91350100M000100Y43".into(),
            org_type: "social_organisation".into(),
            legal_representative: "王明".into(),
            contact_phone: "023-6000 0000".into(),
            bank_account: "6222 0000 1234 5678".into(),
            ..SupplierInput::default()
        }
    }

    #[test]
    fn a_supplier_is_checked_field_by_field() {
        let s = check_supplier(&input()).expect("valid");
        assert_eq!(s.name, "渝助社会工作服务中心");
        assert_eq!(s.bank_account, "6222000012345678");
        assert_eq!(s.org_type, OrgType::SocialOrganisation);
        let mut i = input();
        i.org_type = "public_welfare_1".into();
        assert_eq!(check_supplier(&i), Err(SupplierProblem::OrgTypeNotAllowed));
        i.org_type = "budget_funded_mass_org".into();
        assert_eq!(check_supplier(&i), Err(SupplierProblem::OrgTypeNotAllowed));
        i.org_type = "labour_dispatch".into();
        assert_eq!(check_supplier(&i), Err(SupplierProblem::OrgTypeNotAllowed));
        let mut i = input();
        i.credit_code = "91350100M000100Y44".into();
        assert_eq!(check_supplier(&i), Err(SupplierProblem::CreditCode(CreditCodeProblem::Checksum)));
        let mut i = input();
        i.name = "  ".into();
        assert_eq!(check_supplier(&i), Err(SupplierProblem::NameRequired));
        let mut i = input();
        i.legal_representative = String::new();
        assert_eq!(check_supplier(&i), Err(SupplierProblem::LegalRepresentativeRequired));
        let mut i = input();
        i.bank_account = "62220000ABCD".into();
        assert_eq!(check_supplier(&i), Err(SupplierProblem::BankAccount));
        i.bank_account = "1234".into();
        assert_eq!(check_supplier(&i), Err(SupplierProblem::BankAccount));
        let mut i = input();
        i.contact_phone = "call me".into();
        assert_eq!(check_supplier(&i), Err(SupplierProblem::Phone));
        let mut i = input();
        i.address = "长".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(check_supplier(&i), Err(SupplierProblem::TooLong(SupplierField::Address)));
        assert_eq!(OrgType::allowed().count(), 7);
    }

    #[test]
    fn blacklist_and_lapsed_qualifications_bar_an_award() {
        let day = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
        let q = |y| Qualification {
            name: "社会工作服务机构等级评估".into(),
            number: "3A".into(),
            expires_on: NaiveDate::from_ymd_opt(y, 6, 1),
        };
        let mut s = Standing { registered: true, blacklist_reason: None, qualifications: vec![q(2026)] };
        assert_eq!(check_standing(&s, day), Ok(()));
        s.qualifications = vec![q(2025)];
        assert_eq!(
            check_standing(&s, day),
            Err(Ineligible::QualificationExpired("社会工作服务机构等级评估".into()))
        );
        s.blacklist_reason = Some("虚报服务记录".into());
        assert_eq!(check_standing(&s, day), Err(Ineligible::Blacklisted("虚报服务记录".into())));
        let s = Standing { registered: false, blacklist_reason: None, qualifications: vec![] };
        assert_eq!(check_standing(&s, day), Err(Ineligible::NotRegistered));
    }
}
