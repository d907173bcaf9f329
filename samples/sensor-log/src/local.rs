//! The readings kept on the device: the system's libsqlite3 through libsqlite3-sys.

use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::ptr;

use libsqlite3_sys as ffi;

pub fn version() -> String {
    unsafe { CStr::from_ptr(ffi::sqlite3_libversion()) }.to_string_lossy().into_owned()
}

pub struct Store {
    db: *mut ffi::sqlite3,
}

impl Store {
    pub fn open(path: &str) -> Result<Store, String> {
        let name = CString::new(path).map_err(|_| "the path has a NUL byte".to_string())?;
        let mut db = ptr::null_mut();
        let rc = unsafe {
            ffi::sqlite3_open_v2(name.as_ptr(), &mut db, ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE, ptr::null())
        };
        let store = Store { db };
        if rc != ffi::SQLITE_OK {
            return Err(store.error());
        }
        store.execute(
            "CREATE TABLE IF NOT EXISTS readings (id INTEGER PRIMARY KEY, sensor TEXT NOT NULL, value REAL NOT NULL, \
             taken_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, forwarded INTEGER NOT NULL DEFAULT 0)",
        )?;
        Ok(store)
    }

    fn error(&self) -> String {
        if self.db.is_null() {
            return "out of memory".to_string();
        }
        unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db)) }.to_string_lossy().into_owned()
    }

    fn execute(&self, sql: &str) -> Result<(), String> {
        let sql = CString::new(sql).unwrap();
        let rc = unsafe { ffi::sqlite3_exec(self.db, sql.as_ptr(), None, ptr::null_mut(), ptr::null_mut()) };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn prepare(&self, sql: &str) -> Result<Statement, String> {
        let sql = CString::new(sql).unwrap();
        let mut stmt = ptr::null_mut();
        let rc = unsafe { ffi::sqlite3_prepare_v2(self.db, sql.as_ptr(), -1, &mut stmt, ptr::null_mut()) };
        if rc == ffi::SQLITE_OK {
            Ok(Statement { stmt })
        } else {
            Err(self.error())
        }
    }

    pub fn insert(&self, sensor: &str, value: f64) -> Result<i64, String> {
        let stmt = self.prepare("INSERT INTO readings (sensor, value) VALUES (?1, ?2)")?;
        let text = CString::new(sensor).map_err(|_| "the sensor name has a NUL byte".to_string())?;
        unsafe {
            ffi::sqlite3_bind_text(stmt.stmt, 1, text.as_ptr(), -1, ffi::SQLITE_TRANSIENT());
            ffi::sqlite3_bind_double(stmt.stmt, 2, value);
        }
        if stmt.step() != ffi::SQLITE_DONE {
            return Err(self.error());
        }
        Ok(unsafe { ffi::sqlite3_last_insert_rowid(self.db) })
    }

    pub fn mark_forwarded(&self, id: i64) -> Result<(), String> {
        let stmt = self.prepare("UPDATE readings SET forwarded = 1 WHERE id = ?1")?;
        unsafe { ffi::sqlite3_bind_int64(stmt.stmt, 1, id) };
        if stmt.step() == ffi::SQLITE_DONE {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    pub fn count(&self) -> Result<i64, String> {
        let stmt = self.prepare("SELECT count(*) FROM readings")?;
        if stmt.step() != ffi::SQLITE_ROW {
            return Err(self.error());
        }
        Ok(unsafe { ffi::sqlite3_column_int64(stmt.stmt, 0) })
    }

    pub fn list(&self) -> Result<String, String> {
        let stmt = self.prepare("SELECT id, sensor, value, taken_at, forwarded FROM readings ORDER BY id")?;
        let mut out = String::new();
        loop {
            match stmt.step() {
                ffi::SQLITE_ROW => unsafe {
                    let id = ffi::sqlite3_column_int64(stmt.stmt, 0);
                    let sensor = column_text(stmt.stmt, 1);
                    let value = ffi::sqlite3_column_double(stmt.stmt, 2);
                    let taken = column_text(stmt.stmt, 3);
                    let forwarded = ffi::sqlite3_column_int(stmt.stmt, 4) != 0;
                    out.push_str(&format!("{} {} {} {} {}\n", id, sensor, value, taken, if forwarded { "forwarded" } else { "local" }));
                },
                ffi::SQLITE_DONE => return Ok(out),
                _ => return Err(self.error()),
            }
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        unsafe { ffi::sqlite3_close(self.db) };
    }
}

struct Statement {
    stmt: *mut ffi::sqlite3_stmt,
}

impl Statement {
    fn step(&self) -> c_int {
        unsafe { ffi::sqlite3_step(self.stmt) }
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        unsafe { ffi::sqlite3_finalize(self.stmt) };
    }
}

unsafe fn column_text(stmt: *mut ffi::sqlite3_stmt, column: c_int) -> String {
    let text = ffi::sqlite3_column_text(stmt, column);
    if text.is_null() {
        String::new()
    } else {
        CStr::from_ptr(text as *const _).to_string_lossy().into_owned()
    }
}
