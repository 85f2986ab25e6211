//! Generated enums know their labels: `ALL` in the type's order, `as_str`, `Display` and
//! `FromStr` as Postgres spells them.

use generated::type_coverage::enums::{Mood, UnknownLabel};

#[test]
fn enums_know_their_labels() {
    assert_eq!(Mood::ALL, [Mood::Happy, Mood::Sad, Mood::ItSComplicated]);
    assert_eq!(Mood::ItSComplicated.as_str(), "it's complicated");
    assert_eq!(Mood::Sad.to_string(), "sad");
    for m in Mood::ALL {
        assert_eq!(m.as_str().parse::<Mood>(), Ok(m));
    }
    assert_eq!(
        "Happy".parse::<Mood>(),
        Err(UnknownLabel {
            type_name: "mood",
            label: "Happy".into()
        })
    );
}
