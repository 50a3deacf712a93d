//! Prints the generated JSON Schema; redirect it to `spec/workbench-ir.schema.json` after changing
//! the IR types or limits (the schema drift test tells you when).

fn main() {
    print!("{}", gen_workbench::workbench_ir_schema_text());
}
