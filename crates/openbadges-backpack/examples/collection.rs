//! Puts a collection into a backpack on disk (the `openbadges backpack` CLI has no collection
//! command yet): `cargo run -p openbadges-backpack --example collection -- STORE_DIR NAME
//! [BADGE_ID...]`. Without badge ids, every accepted badge goes in, in import order. Prints the
//! collection's id. Used by `.ci/steps/interop-backpack-exports.sh` before exporting a CLR.

use openbadges_backpack::{BadgeState, Collection, SqliteStore, Store, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(name)) = (args.first(), args.get(1)) else {
        eprintln!("usage: collection STORE_DIR NAME [BADGE_ID...]");
        std::process::exit(2);
    };
    let mut store = SqliteStore::open_dir(std::path::Path::new(dir))?;
    let mut c = Collection::new(name.as_str())?;
    c.members = if args.len() > 2 {
        args.iter()
            .skip(2)
            .map(|s| openbadges_backpack::BadgeId::parse(s))
            .collect::<Result<_, _>>()?
    } else {
        let mut badges: Vec<_> = store
            .badges()?
            .into_iter()
            .filter(|b| b.state == BadgeState::Accepted)
            .collect();
        badges.sort_by(|a, b| a.imported_at.cmp(&b.imported_at).then(a.id.cmp(&b.id)));
        badges.into_iter().map(|b| b.id).collect()
    };
    let id = c.id.clone();
    store.commit(vec![Write::PutCollection(c)])?;
    println!("{}", id.as_str());
    Ok(())
}
