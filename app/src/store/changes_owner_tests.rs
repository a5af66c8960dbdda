//! Only owners change a shop's setup: a change by an account that is not
//! (any more) an owner of the shop, its role taken away while its form was
//! on its way, is not made and not recorded.

use super::*;
use crate::store::team_fixtures::{add, add_staff};
use crate::store::tests::{example, shop, store};
use crate::store::{Role, ShopUpdate};

#[tokio::test]
async fn an_account_no_longer_an_owner_changes_nothing() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = By::Account(add(&store, "owner@a.example", shop.id, Role::Owner).await);
    let staff = By::Account(add_staff(&store, "was-owner@a.example", shop.id).await);
    let made = store.insert_key(shop.id, "00000000000000a1", "h", "", None, &owner);
    assert_eq!(made.await.unwrap(), Ok(()));
    store.put_order(shop.id, example()).await.unwrap();
    let (_, secret) = store.webhook_secret("a").await.unwrap().unwrap();
    let before = store.changes(shop.id, 1).await.unwrap();

    let rename = ShopUpdate {
        name: Some("Renamed".into()),
        ..ShopUpdate::default()
    };
    let refused = [
        store.update_shop("a", &rename, &staff).await.map(|_| ()),
        store
            .insert_key(shop.id, "00000000000000a2", "h", "", None, &staff)
            .await
            .map(|_| ()),
        store.revoke_key(shop.id, "00000000000000a1", &staff).await.map(|_| ()),
        store
            .rotate_webhook_secret(shop.id, "new", &"f".repeat(64), &staff)
            .await
            .map(|_| ()),
        store.delete_order(shop.id, "1001", &staff).await.map(|_| ()),
    ];
    for (n, refused) in refused.into_iter().enumerate() {
        assert!(matches!(refused, Err(StoreError::NotOwner)), "{n}: {refused:?}");
    }
    let after = store.shop("a").await.unwrap().unwrap();
    assert_eq!(after.name, shop.name);
    let keys = store.keys(shop.id).await.unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].revoked_at.is_none(), "still live");
    assert_eq!(store.webhook_secret("a").await.unwrap().unwrap().1, secret);
    assert!(store.order(shop.id, "1001").await.unwrap().is_some());
    assert_eq!(store.changes(shop.id, 1).await.unwrap(), before, "nothing recorded");
}
