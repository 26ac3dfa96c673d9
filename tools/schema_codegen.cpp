// Build tool: turns the scenario JSON Schema into the C++ structs that hold a validated scenario and
// the reader that fills them, so that a scenario key's name, type, range and default have one owner,
// the schema (../shared/STYLE.md "One owner per fact"). Run by CMake at build time:
//   cxsim_schema_codegen SCHEMA.json OUT_HEADER.hpp OUT_READER.cpp
//
// What the schema says and what the generator makes of it:
//   - an object schema with "x-cxsim-struct": "Name" becomes `struct Name` with one member per
//     property, in the schema's order, each with the property's "description" as its comment;
//   - "number" -> double, "integer" -> int (std::int64_t when "maximum" exceeds INT_MAX), "boolean"
//     -> bool, "string" -> std::string, a string "enum" with "x-cxsim-enum": "Name" -> enum class
//     Name {kValue, ...}; an array of numbers/integers/strings -> std::vector of those; an object of
//     numbers (id -> weight or share) -> WeightedIds; an object of structs (a collection keyed by
//     id) -> std::vector<Struct>, whose items get an `id` member;
//   - "x-cxsim-type": "T" names a hand-written type (cxsim/scenario_values.hpp) and
//     "x-cxsim-read": "f" the hand-written function that reads it (scenario_reader.hpp);
//   - "default" becomes the member's initializer; a number, integer or boolean without a default
//     that is not required becomes std::optional<T>, and so does any property marked
//     "x-cxsim-optional": true; a struct member without a default takes its members' defaults;
//   - properties whose name is not a C++ identifier ("$schema") are skipped.
// It also writes the generated writer (write_value), which turns the structs back into a document
// with every default filled in (the effective scenario). The generated reader converts values only: the JSON Schema
// check (valijson) has already reported every type and range error, and the reader leaves a member at its default when
// the value has the wrong type, so the loader can go on and report the semantic problems of the same document.
#include <cctype>
#include <climits>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using nlohmann::ordered_json;

struct Member {
  std::string name;        // JSON key and C++ member name
  std::string type;        // C++ type of the member
  std::string init;        // initializer ("" = value-initialized)
  std::string reader;      // function that reads it ("read_value" or a hand-written one)
  std::string comment;     // the property's description
  std::string value_type;  // the type read (the member's type without std::optional)
  bool optional = false;   // std::optional<value_type>
};

struct Struct {
  std::string name;
  std::string comment;
  bool keyed = false;  // an item of a collection keyed by id: gets an `id` member
  std::vector<Member> members;
};

struct Enum {
  std::string name;
  std::vector<std::string> values;
};

class Generator {
 public:
  explicit Generator(ordered_json schema) : root_(std::move(schema)) {}

  void run() {
    if (!root_.contains("x-cxsim-struct")) throw std::runtime_error("the schema's root needs \"x-cxsim-struct\"");
    struct_of(root_);
  }

  std::string header() const {
    std::ostringstream out;
    out << "#pragma once\n"
           "// Generated from scenarios/schema/scenario.schema.json by tools/schema_codegen.cpp: do not edit.\n"
           "// The structs of a validated scenario, one member per schema key, with the schema's defaults.\n"
           "// The schema is the owner of every key's name, type, range, default and meaning.\n"
           "#include <cstdint>\n#include <optional>\n#include <string>\n#include <vector>\n\n"
           "#include \"cxsim/scenario_values.hpp\"\n\nnamespace cxsim {\n\n";
    for (const Enum& e : enums_) {
      out << "enum class " << e.name << " {";
      for (std::size_t i = 0; i < e.values.size(); ++i) out << (i ? ", " : " ") << enumerator(e.values[i]);
      out << " };\n";
      out << "// The JSON spelling of a value (\"" << e.values.front() << "\" ...).\n";
      out << "const char* name_of(" << e.name << " value);\n\n";
    }
    for (const Struct& s : structs_) {
      comment(out, s.comment, "");
      out << "struct " << s.name << " {\n";
      if (s.keyed) out << "  std::string id;  // the key of this item in its collection\n";
      for (const Member& m : s.members) {
        comment(out, m.comment, "  ");
        out << "  " << m.type << " " << m.name;
        out << (m.init.empty() ? "{}" : " = " + m.init) << ";\n";
      }
      out << "};\n\n";
    }
    out << "}  // namespace cxsim\n";
    return out.str();
  }

  std::string reader() const {
    std::ostringstream out;
    out << "// Generated from scenarios/schema/scenario.schema.json by tools/schema_codegen.cpp: do not edit.\n"
           "#include \"cxsim/scenario_keys.hpp\"\n\n#include <cstring>\n\n#include \"scenario_reader.hpp\"\n\n"
           "namespace cxsim {\n\n";
    for (const Enum& e : enums_) {
      out << "const char* name_of(" << e.name << " value) {\n  switch (value) {\n";
      for (const auto& v : e.values) {
        out << "    case " << e.name << "::" << enumerator(v) << ":\n      return \"" << v << "\";\n";
      }
      out << "  }\n  return \"\";\n}\n\n";
      out << "bool read_value(const nlohmann::json& v, const std::string&, " << e.name << "& out, ReadContext&) {\n"
          << "  if (!v.is_string()) return false;\n  const std::string& s = v.get_ref<const std::string&>();\n";
      for (const auto& value : e.values) {
        out << "  if (s == \"" << value << "\") {\n    out = " << e.name << "::" << enumerator(value)
            << ";\n    return true;\n  }\n";
      }
      out << "  return false;\n}\n\n";
    }
    for (const Struct& s : structs_) {
      out << "bool read_value(const nlohmann::json& v, const std::string& pointer, " << s.name
          << "& out, ReadContext& context) {\n  if (!v.is_object()) return false;\n";
      for (const Member& m : s.members) {
        out << "  if (const nlohmann::json* x = member(v, \"" << m.name << "\")) {\n";
        if (m.optional) {
          out << "    " << m.value_type << " value{};\n    if (" << m.reader << "(*x, child(pointer, \"" << m.name
              << "\"), value, context)) out." << m.name << " = std::move(value);\n";
        } else {
          out << "    " << m.reader << "(*x, child(pointer, \"" << m.name << "\"), out." << m.name << ", context);\n";
        }
        out << "  }\n";
      }
      out << "  return true;\n}\n\n";
    }
    for (const Enum& e : enums_) {
      out << "void write_value(nlohmann::json& out, " << e.name << " value) { out = name_of(value); }\n\n";
    }
    for (const Struct& s : structs_) {
      out << "void write_value(nlohmann::json& out, const " << s.name
          << "& value) {\n  out = nlohmann::json::object();\n";
      for (const Member& m : s.members) {
        if (m.optional) {
          out << "  if (value." << m.name << ") write_value(out[\"" << m.name << "\"], *value." << m.name << ");\n";
        } else {
          out << "  write_value(out[\"" << m.name << "\"], value." << m.name << ");\n";
        }
      }
      out << "}\n\n";
    }
    out << "}  // namespace cxsim\n";
    return out.str();
  }

  // Declarations of the generated readers, for scenario_reader.hpp's users.
  std::string reader_declarations() const {
    std::ostringstream out;
    for (const Enum& e : enums_) {
      out << "bool read_value(const nlohmann::json& v, const std::string& pointer, " << e.name
          << "& out, ReadContext& context);\n";
    }
    for (const Struct& s : structs_) {
      out << "bool read_value(const nlohmann::json& v, const std::string& pointer, " << s.name
          << "& out, ReadContext& context);\n";
    }
    for (const Enum& e : enums_) out << "void write_value(nlohmann::json& out, " << e.name << " value);\n";
    for (const Struct& s : structs_) out << "void write_value(nlohmann::json& out, const " << s.name << "& value);\n";
    return out.str();
  }

 private:
  static std::string enumerator(const std::string& value) {
    std::string out = "k";
    bool upper = true;
    for (char c : value) {
      if (c == '_' || c == '-' || c == ' ') {
        upper = true;
      } else {
        out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        upper = false;
      }
    }
    return out;
  }

  static bool identifier(const std::string& name) {
    if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
    for (char c : name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    }
    return true;
  }

  // A description as // comment lines of at most 110 columns.
  static void comment(std::ostringstream& out, const std::string& text, const std::string& indent) {
    if (text.empty()) return;
    std::istringstream words(text);
    std::string word, line;
    const std::size_t width = 110 - indent.size() - 3;
    while (words >> word) {
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        out << indent << "// " << line << "\n";
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty()) out << indent << "// " << line << "\n";
  }

  const ordered_json& resolve(const ordered_json& node) const {
    const ordered_json* n = &node;
    while (n->is_object() && n->contains("$ref")) {
      const std::string ref = (*n)["$ref"].get<std::string>();
      if (ref.rfind("#/", 0) != 0) throw std::runtime_error("only local $ref: " + ref);
      n = &root_.at(ordered_json::json_pointer(ref.substr(1)));
    }
    return *n;
  }

  // The value of `key` on `node` or, following $ref, on what it refers to.
  const ordered_json* annotation(const ordered_json& node, const char* key) const {
    const ordered_json* n = &node;
    while (true) {
      if (n->is_object() && n->contains(key)) return &(*n)[key];
      if (!(n->is_object() && n->contains("$ref"))) return nullptr;
      n = &root_.at(ordered_json::json_pointer((*n)["$ref"].get<std::string>().substr(1)));
    }
  }

  // Generates (once) the struct of an object schema and returns its name.
  std::string struct_of(const ordered_json& node_in, bool keyed = false) {
    const ordered_json& node = resolve(node_in);
    const std::string name = node.at("x-cxsim-struct").get<std::string>();
    if (done_.count(name)) {
      if (keyed) mark_keyed(name);
      return name;
    }
    done_.insert(name);
    Struct s;
    s.name = name;
    s.keyed = keyed;
    s.comment = node.value("description", "");
    std::set<std::string> required;
    if (node.contains("required")) {
      for (const auto& r : node["required"]) required.insert(r.get<std::string>());
    }
    for (const auto& [key, property] : node.at("properties").items()) {
      if (!identifier(key)) continue;
      s.members.push_back(member_of(key, property, required.count(key) > 0));
    }
    structs_.push_back(std::move(s));  // after its members' structs: definition order is dependency order
    return name;
  }

  void mark_keyed(const std::string& name) {
    for (Struct& s : structs_) {
      if (s.name == name) s.keyed = true;
    }
  }

  static std::string literal(const ordered_json& v, const std::string& type) {
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_string()) {
      if (type.rfind("std::string", 0) == 0 || type == "std::optional<std::string>") return v.dump();
      return type + "::" + enumerator(v.get<std::string>());
    }
    if (v.is_number_integer() || v.is_number_unsigned()) {
      if (type == "double") return v.dump() + ".0";
      return v.dump();
    }
    if (v.is_number_float()) {
      std::string s = v.dump();
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
    if (v.is_array()) {  // a default list: {elements} of the vector's element type
      const std::string element = type.rfind("std::vector<", 0) == 0 ? type.substr(12, type.size() - 13) : type;
      std::string out = "{";
      for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + literal(v[i], element);
      return out + "}";
    }
    throw std::runtime_error("unsupported default " + v.dump());
  }

  Member member_of(const std::string& key, const ordered_json& property, bool required) {
    Member m;
    m.name = key;
    m.reader = "read_value";
    m.comment = property.value("description", resolve(property).value("description", ""));
    const ordered_json& node = resolve(property);
    bool scalar = true;
    const ordered_json* explicit_optional = annotation(property, "x-cxsim-optional");
    if (const ordered_json* t = annotation(property, "x-cxsim-type")) {
      m.type = t->get<std::string>();
      if (const ordered_json* r = annotation(property, "x-cxsim-read")) m.reader = r->get<std::string>();
      scalar = false;
    } else if (node.contains("x-cxsim-struct")) {
      m.type = struct_of(node);
      scalar = false;
    } else {
      const std::string type = node.value("type", "");
      if (type == "number") {
        m.type = "double";
      } else if (type == "integer") {
        const bool wide = node.contains("maximum") && node["maximum"].get<double>() > INT_MAX;
        m.type = wide ? "std::int64_t" : "int";
      } else if (type == "boolean") {
        m.type = "bool";
      } else if (type == "string") {
        if (node.contains("enum")) {
          m.type = node.at("x-cxsim-enum").get<std::string>();
          add_enum(m.type, node["enum"]);
        } else {
          m.type = "std::string";
        }
      } else if (type == "array") {
        const ordered_json& items = resolve(node.at("items"));
        const std::string item_type = items.value("type", "");
        m.type = item_type == "number"    ? "std::vector<double>"
                 : item_type == "integer" ? "std::vector<int>"
                 : item_type == "string"  ? "std::vector<std::string>"
                                          : throw std::runtime_error(key + ": unsupported array items");
        scalar = false;
      } else if (type == "object" && node.contains("additionalProperties") &&
                 node["additionalProperties"].is_object()) {
        const ordered_json& items = resolve(node["additionalProperties"]);
        if (items.contains("x-cxsim-struct")) {
          m.type = "std::vector<" + struct_of(items, /*keyed=*/true) + ">";
        } else if (items.value("type", "") == "number") {
          m.type = "WeightedIds";
        } else {
          throw std::runtime_error(key + ": unsupported collection");
        }
        scalar = false;
      } else {
        throw std::runtime_error(key + ": give it \"x-cxsim-type\" (its type is " + node.dump().substr(0, 80) + ")");
      }
    }
    const ordered_json* def = property.contains("default") ? &property["default"]
                              : node.contains("default")   ? &node["default"]
                                                           : nullptr;
    m.value_type = m.type;
    if (def != nullptr) {
      m.init = literal(*def, m.type);
    } else if (explicit_optional != nullptr ? explicit_optional->get<bool>()
                                            : scalar && !required && m.type != "std::string") {
      m.optional = true;
      m.type = "std::optional<" + m.type + ">";
    }
    return m;
  }

  void add_enum(const std::string& name, const ordered_json& values) {
    for (const Enum& e : enums_) {
      if (e.name == name) return;
    }
    Enum e{name, {}};
    for (const auto& v : values) e.values.push_back(v.get<std::string>());
    enums_.push_back(std::move(e));
  }

  ordered_json root_;
  std::set<std::string> done_;
  std::vector<Struct> structs_;
  std::vector<Enum> enums_;
};

void write_if_changed(const std::string& path, const std::string& text) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream old;
  old << in.rdbuf();
  if (in && old.str() == text) return;  // unchanged: keep the timestamp, so nothing rebuilds
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: cxsim_schema_codegen SCHEMA.json OUT_HEADER.hpp OUT_READER.cpp OUT_DECLARATIONS.inc\n";
    return 2;
  }
  try {
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) throw std::runtime_error(std::string("cannot read ") + argv[1]);
    Generator g(ordered_json::parse(in));
    g.run();
    write_if_changed(argv[2], g.header());
    write_if_changed(argv[3], g.reader());
    write_if_changed(argv[4], g.reader_declarations());
  } catch (const std::exception& e) {
    std::cerr << "cxsim_schema_codegen: " << argv[1] << ": " << e.what() << '\n';
    return 1;
  }
  return 0;
}
