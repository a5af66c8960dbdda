//! `lookout demo`: the demo shop with its sample orders, and generated orders for load tests.

use super::args::Db;
use super::{open, progress_bar};
use crate::demo;
use anyhow::Result;

/// Loads the demo shop, prints its sample lookups, and generates `orders` more if asked.
pub(super) async fn run(db: Db, orders: u64) -> Result<()> {
    let store = open(&db).await?;
    let (loaded, kept) = demo::load(&store).await?;
    say!("Demo shop \"demo\" ready with {loaded} orders. Look them up at /track/demo with:")?;
    if !kept.is_empty() {
        say!(
            "Kept as they are, written there since the demo's: {} (a demo order never replaces a real one)",
            kept.join(", ")
        )?;
    }
    for order in demo::ORDERS {
        say!("  {:<20} {:<6} {}", order.email, order.order_number, order.shows)?;
    }
    if orders > 0 {
        let bar = progress_bar(orders, "generating orders");
        let started = std::time::Instant::now();
        let shown = bar.clone();
        demo::generate(&store, orders, move |n| shown.set_position(n)).await?;
        bar.finish_and_clear();
        let secs = started.elapsed().as_secs_f64();
        let (email, number) = demo::generated_credentials(orders);
        say!(
            "Generated {orders} orders in {secs:.1} s ({:.0} orders/s): #G0000001 with shopper1@example.com … {number} with {email}.",
            orders as f64 / secs.max(1e-9)
        )?;
    }
    Ok(())
}
