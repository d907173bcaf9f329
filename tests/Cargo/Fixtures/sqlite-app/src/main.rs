//! Opens an in-memory SQLite database through the system's libsqlite3, stores two readings and
//! sums them in SQL: proof that the target's library was found, linked and runs.
use libsqlite3_sys as ffi;
use std::ffi::{CStr, CString};
use std::ptr;

fn check(db: *mut ffi::sqlite3, rc: i32, what: &str) {
    if rc != ffi::SQLITE_OK {
        let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) };
        eprintln!("{}: {}", what, message.to_string_lossy());
        std::process::exit(1);
    }
}

fn main() {
    unsafe {
        let version = CStr::from_ptr(ffi::sqlite3_libversion()).to_string_lossy().into_owned();
        let mut db: *mut ffi::sqlite3 = ptr::null_mut();
        let name = CString::new(":memory:").unwrap();
        check(db, ffi::sqlite3_open(name.as_ptr(), &mut db), "open");
        let setup = CString::new("CREATE TABLE readings(value INTEGER); INSERT INTO readings VALUES (20), (22);").unwrap();
        check(db, ffi::sqlite3_exec(db, setup.as_ptr(), None, ptr::null_mut(), ptr::null_mut()), "create");
        let query = CString::new("SELECT sum(value) FROM readings").unwrap();
        let mut statement: *mut ffi::sqlite3_stmt = ptr::null_mut();
        check(db, ffi::sqlite3_prepare_v2(db, query.as_ptr(), -1, &mut statement, ptr::null_mut()), "prepare");
        if ffi::sqlite3_step(statement) != ffi::SQLITE_ROW {
            eprintln!("no row");
            std::process::exit(1);
        }
        let sum = ffi::sqlite3_column_int(statement, 0);
        ffi::sqlite3_finalize(statement);
        ffi::sqlite3_close(db);
        println!("sqlite {} in memory: sum = {}", version, sum);
    }
}
