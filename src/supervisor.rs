//! The supervisor: `run(config, shutdown)` owns the gateway, the store writer,
//! the outbound scheduler and the replay pool. Not built yet; see the issue
//! "ladderd on Discord".
