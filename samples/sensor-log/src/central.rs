//! The central PostgreSQL the readings are forwarded to: libpq through pq-sys.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::ptr;

use pq_sys as pq;

pub struct Central {
    url: CString,
    shown: String,
}

impl Central {
    pub fn new(url: &str) -> Central {
        Central { url: CString::new(url).unwrap_or_default(), shown: without_password(url) }
    }

    /// The connection URI with any password masked: it goes to logs and HTTP answers.
    pub fn describe(&self) -> &str {
        &self.shown
    }

    /// Connects and asks the server's version.
    pub fn check(&self) -> Result<String, String> {
        let conn = self.connect()?;
        let result = conn.query("SELECT current_setting('server_version')", &[])?;
        Ok(result)
    }

    pub fn forward(&self, device: &str, id: i64, sensor: &str, value: f64) -> Result<(), String> {
        let conn = self.connect()?;
        conn.query(
            "CREATE TABLE IF NOT EXISTS readings (device text NOT NULL, local_id bigint NOT NULL, sensor text NOT NULL, \
             value double precision NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (device, local_id))",
            &[],
        )?;
        conn.query(
            "INSERT INTO readings (device, local_id, sensor, value) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[device, &id.to_string(), sensor, &value.to_string()],
        )?;
        Ok(())
    }

    fn connect(&self) -> Result<Connection, String> {
        let conn = Connection { conn: unsafe { pq::PQconnectdb(self.url.as_ptr()) } };
        if conn.conn.is_null() {
            return Err("libpq could not allocate a connection".to_string());
        }
        if unsafe { pq::PQstatus(conn.conn) } != pq::CONNECTION_OK {
            return Err(message(unsafe { pq::PQerrorMessage(conn.conn) }));
        }
        Ok(conn)
    }
}

struct Connection {
    conn: *mut pq::PGconn,
}

impl Connection {
    /// Runs one statement with text parameters; the first column of the first row, if any.
    fn query(&self, sql: &str, params: &[&str]) -> Result<String, String> {
        let sql = CString::new(sql).unwrap();
        let values: Vec<CString> = params.iter().map(|p| CString::new(*p).unwrap_or_default()).collect();
        let pointers: Vec<*const c_char> = values.iter().map(|v| v.as_ptr()).collect();
        let result = unsafe {
            pq::PQexecParams(self.conn, sql.as_ptr(), pointers.len() as i32, ptr::null(), pointers.as_ptr(), ptr::null(), ptr::null(), 0)
        };
        if result.is_null() {
            return Err(message(unsafe { pq::PQerrorMessage(self.conn) }));
        }
        let status = unsafe { pq::PQresultStatus(result) };
        let answer = if status == pq::PGRES_COMMAND_OK {
            Ok(String::new())
        } else if status == pq::PGRES_TUPLES_OK {
            Ok(if unsafe { pq::PQntuples(result) } > 0 { message(unsafe { pq::PQgetvalue(result, 0, 0) }) } else { String::new() })
        } else {
            Err(message(unsafe { pq::PQresultErrorMessage(result) }))
        };
        unsafe { pq::PQclear(result) };
        answer
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        unsafe { pq::PQfinish(self.conn) };
    }
}

fn message(text: *const c_char) -> String {
    if text.is_null() {
        return String::new();
    }
    unsafe { CStr::from_ptr(text) }.to_string_lossy().trim().replace('\n', " ")
}

/// postgresql://user:secret@host/db -> postgresql://user:***@host/db; key=value strings lose password=...
fn without_password(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            let userinfo = &rest[..at];
            if let Some(colon) = userinfo.find(':') {
                return format!("{}{}:***{}", &url[..scheme_end + 3], &userinfo[..colon], &rest[at..]);
            }
        }
        return url.to_string();
    }
    url.split_whitespace()
        .map(|part| if part.starts_with("password=") { "password=***" } else { part })
        .collect::<Vec<_>>()
        .join(" ")
}
