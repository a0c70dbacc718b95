//! Fuzz target: arbitrary bytes as a form definition. Parsing must never panic;
//! a definition that parses must validate empty answers and its frozen payload
//! without panicking either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rantau_core::forms::samples::sample_today;
use rantau_core::forms::{frozen_payload, validate, Answers, Context, FormDefinition};
use rantau_core::Lang;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(def) = FormDefinition::from_json(text) else { return };
    let today = sample_today();
    let answers = Answers::new();
    for lang in [Lang::Id, Lang::En] {
        let _ = validate(&def, &answers, &Context { today, lang });
    }
    let _ = frozen_payload(&def, &answers);
});
