//! For the store's tests: accounts put on a shop's team and taken off it, as
//! an owner would.

use super::{Role, Store, TeamChange};

/// Adds the account of `email` (made if new) to the shop with `role`; its id.
pub(super) async fn add(store: &Store, email: &str, shop_id: i64, role: Role) -> i64 {
    store
        .add_member(email, shop_id, role)
        .await
        .unwrap()
        .expect("room in the team")
}

/// [`add`] as staff.
pub(super) async fn add_staff(store: &Store, email: &str, shop_id: i64) -> i64 {
    add(store, email, shop_id, Role::Staff).await
}

/// Takes the account's role in the shop away.
pub(super) async fn remove(store: &Store, email: &str, shop_id: i64) {
    let removed = store
        .change_member(None, shop_id, email, TeamChange::Remove)
        .await
        .unwrap();
    assert!(removed.is_ok(), "{email}");
}
