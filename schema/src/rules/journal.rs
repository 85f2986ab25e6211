//! What a run of statements changed in a [`Schema`]: the value each touched entry had
//! before the run, or that it was absent. The folder records it while it applies a
//! migration, so the offline down check compares and restores only what the migration
//! touched instead of copying the whole model for every migration (which made reading a
//! set of N migrations cost O(N²)).

use std::collections::BTreeMap;

use crate::model::*;

/// Pre-images of one map's touched entries.
pub(crate) type Log<K, V> = BTreeMap<K, Option<V>>;

/// Records the value an entry has now, unless the entry was already recorded.
pub(crate) fn record<K: Ord + Clone, V: Clone>(log: &mut Log<K, V>, map: &BTreeMap<K, V>, key: &K) {
    if !log.contains_key(key) {
        log.insert(key.clone(), map.get(key).cloned());
    }
}

/// The keys of the entries of `map` that `pred` selects.
pub(crate) fn keys_where<K: Clone, V>(
    map: &BTreeMap<K, V>,
    pred: impl Fn(&K, &V) -> bool,
) -> Vec<K> {
    map.iter()
        .filter(|(k, v)| pred(k, v))
        .map(|(k, _)| k.clone())
        .collect()
}

macro_rules! journal {
    ($($map:ident: $k:ty => $v:ty),* $(,)?) => {
        /// The first value of every entry touched since recording started, per map of the
        /// schema (`None`: the entry did not exist then).
        #[derive(Debug, Default)]
        pub(crate) struct Journal {
            $(pub(crate) $map: Log<$k, $v>,)*
        }

        impl Journal {
            /// Puts every touched entry of `schema` back as it was when recording started.
            pub(crate) fn restore(self, schema: &mut Schema) {
                // No `..`: a map added to the schema must be added to the journal.
                let Schema { $($map,)* } = schema;
                $(
                    for (k, v) in self.$map {
                        match v {
                            Some(v) => {
                                $map.insert(k, v);
                            }
                            None => {
                                $map.remove(&k);
                            }
                        }
                    }
                )*
            }

            /// Adds what `inner` (recorded after this journal started) recorded to this
            /// journal, keeping this journal's own, earlier, values.
            pub(crate) fn absorb(&mut self, inner: Journal) {
                $(
                    for (k, v) in inner.$map {
                        self.$map.entry(k).or_insert(v);
                    }
                )*
            }

            /// The entries touched by `first` or `then`, as they were before `first` and
            /// as they are in `now` (the schema after both): two partial schemas that
            /// differ exactly where the whole schemas do.
            pub(crate) fn touched(first: &Journal, then: &Journal, now: &Schema) -> (Schema, Schema) {
                let mut before = Schema::default();
                let mut after = Schema::default();
                $(
                    for k in first.$map.keys().chain(then.$map.keys()) {
                        let old = first.$map.get(k).or_else(|| then.$map.get(k));
                        if let Some(Some(v)) = old {
                            before.$map.insert(k.clone(), v.clone());
                        }
                        if let Some(v) = now.$map.get(k) {
                            after.$map.insert(k.clone(), v.clone());
                        }
                    }
                )*
                (before, after)
            }
        }
    };
}

journal! {
    schemas: String => Namespace,
    extensions: String => Extension,
    enums: QualifiedName => EnumType,
    domains: QualifiedName => Domain,
    sequences: QualifiedName => Sequence,
    tables: QualifiedName => Table,
    indexes: QualifiedName => Index,
    views: QualifiedName => View,
    functions: FunctionKey => Function,
    triggers: (QualifiedName, String) => Trigger,
}
