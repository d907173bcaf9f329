//! sensor-log: readings posted over HTTP are kept on the device in SQLite and forwarded to a
//! central PostgreSQL through libpq.
//!
//! - `POST /readings?sensor=NAME&value=NUMBER`: stores the reading, forwards it; answers
//!   `stored N forwarded` (or 502 with PostgreSQL's error, the reading kept locally).
//! - `GET /readings`: the readings on the device, one per line.
//! - `GET /health`: `ok ...` when SQLite and PostgreSQL both answer, else 503 and why.
//!
//! Settings come from the environment: DATABASE_URL (libpq's connection string or URI),
//! SENSOR_LOG_DB (default /tmp/sensor-log.db), LISTEN (default 0.0.0.0:8000).

mod central;
mod local;

use std::env;
use std::process;

use tiny_http::{Method, Response, Server};

fn main() {
    let database_url = match env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => {
            eprintln!("sensor-log: DATABASE_URL is not set: give the central PostgreSQL's connection URI (postgresql://user@host:port/db)");
            process::exit(2);
        }
    };
    let db_path = env::var("SENSOR_LOG_DB").unwrap_or_else(|_| "/tmp/sensor-log.db".to_string());
    let listen = env::var("LISTEN").unwrap_or_else(|_| "0.0.0.0:8000".to_string());

    let store = match local::Store::open(&db_path) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("sensor-log: cannot open the local SQLite database {}: {}", db_path, e);
            process::exit(1);
        }
    };
    let central = central::Central::new(&database_url);

    let server = match Server::http(listen.as_str()) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("sensor-log: cannot listen on {}: {}", listen, e);
            process::exit(1);
        }
    };
    println!(
        "sensor-log: listening on {}, readings in {} (SQLite {}), forwarded to {}",
        listen,
        db_path,
        local::version(),
        central.describe()
    );

    for mut request in server.incoming_requests() {
        let url = request.url().to_string();
        let (path, query) = match url.find('?') {
            Some(i) => (url[..i].to_string(), url[i + 1..].to_string()),
            None => (url.clone(), String::new()),
        };
        let (status, body) = match (request.method(), path.as_str()) {
            (Method::Get, "/health") => health(&store, &central),
            (Method::Get, "/readings") => match store.list() {
                Ok(lines) => (200, lines),
                Err(e) => (500, format!("error: SQLite: {}\n", e)),
            },
            (Method::Post, "/readings") => {
                let mut form = String::new();
                let _ = request.as_reader().read_to_string(&mut form);
                let fields = if query.is_empty() { form } else { query };
                post_reading(&store, &central, &fields)
            }
            (Method::Get, "/text") => (200, "hello world\n".to_string()),
            _ => (404, "not found: GET /health, GET /readings, POST /readings?sensor=NAME&value=NUMBER\n".to_string()),
        };
        let _ = request.respond(Response::from_string(body).with_status_code(status));
    }
}

fn health(store: &local::Store, central: &central::Central) -> (u16, String) {
    let count = match store.count() {
        Ok(count) => count,
        Err(e) => return (503, format!("error: local SQLite database: {}\n", e)),
    };
    match central.check() {
        Ok(server) => (200, format!("ok: {} readings on the device; PostgreSQL {} answers\n", count, server)),
        Err(e) => (503, format!("error: cannot reach the central PostgreSQL at {}: {}\n", central.describe(), e)),
    }
}

fn post_reading(store: &local::Store, central: &central::Central, fields: &str) -> (u16, String) {
    let mut sensor = None;
    let mut value = None;
    for pair in fields.trim().split('&') {
        let mut kv = pair.splitn(2, '=');
        match (kv.next(), kv.next()) {
            (Some("sensor"), Some(s)) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => {
                sensor = Some(s.to_string())
            }
            (Some("value"), Some(v)) => value = v.parse::<f64>().ok(),
            _ => {}
        }
    }
    let (sensor, value) = match (sensor, value) {
        (Some(s), Some(v)) => (s, v),
        _ => return (400, "error: give sensor=NAME (letters, digits, - and _) and value=NUMBER\n".to_string()),
    };
    let id = match store.insert(&sensor, value) {
        Ok(id) => id,
        Err(e) => return (500, format!("error: SQLite: {}\n", e)),
    };
    match central.forward(&device_name(), id, &sensor, value) {
        Ok(()) => {
            let _ = store.mark_forwarded(id);
            (200, format!("stored {} forwarded\n", id))
        }
        Err(e) => (502, format!("stored {} on the device; not forwarded: {}\n", id, e)),
    }
}

fn device_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "device".to_string())
}
