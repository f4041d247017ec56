#include "mailbox/message_view.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <mutex>

#include "imap/proto/response.h"
#include "util/fs.h"
#include "util/strings.h"

namespace postern::mailbox {

using imap::quote;

void init_mime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

std::string to_crlf(std::string s) {
  size_t bare = 0;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) ++bare;
  if (bare == 0) return s;
  std::string out;
  out.reserve(s.size() + bare);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out += '\r';
    out += s[i];
  }
  return out;
}

namespace {

std::string to_lf(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i)
    if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out += s[i];
  return out;
}

std::string take(char* s) {
  std::string out = s ? s : "";
  g_free(s);
  return out;
}

// Header block (with the blank line) and body of a serialized entity in LF form.
std::pair<std::string, std::string> split_entity(const std::string& lf) {
  if (lf.compare(0, 1, "\n") == 0) return {"\n", lf.substr(1)};
  auto pos = lf.find("\n\n");
  if (pos == std::string::npos) return {lf + (lf.empty() || lf.back() == '\n' ? "\n" : "\n\n"), ""};
  return {lf.substr(0, pos + 2), lf.substr(pos + 2)};
}

std::string unfold(const char* raw) {
  if (!raw) return "";
  std::string out;
  for (const char* p = raw; *p; ++p)
    if (*p != '\r' && *p != '\n') out += *p;
  return std::string(util::trim(out));
}

const char* raw_header(GMimeObject* obj, const char* name) {
  GMimeHeaderList* list = g_mime_object_get_header_list(obj);
  GMimeHeader* h = list ? g_mime_header_list_get_header(list, name) : nullptr;
  return h ? g_mime_header_get_raw_value(h) : nullptr;
}

std::string nstring_header(GMimeObject* obj, const char* name) {
  const char* raw = raw_header(obj, name);
  if (!raw) return "NIL";
  return quote(unfold(raw));
}

std::string address_list(GMimeObject* obj, const char* name) {
  const char* raw = raw_header(obj, name);
  if (!raw) return "NIL";
  InternetAddressList* list = internet_address_list_parse(nullptr, unfold(raw).c_str());
  if (!list) return "NIL";
  std::string out;
  auto mailbox = [](InternetAddress* a) {
    std::string addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    auto at = addr.rfind('@');
    std::string local = at == std::string::npos ? addr : addr.substr(0, at);
    std::string domain = at == std::string::npos ? "" : addr.substr(at + 1);
    const char* name = internet_address_get_name(a);
    std::string n = "NIL";
    if (name && *name) n = quote(take(g_mime_utils_header_encode_phrase(nullptr, name, "utf-8")));
    return "(" + n + " NIL " + quote(local) + " " + (domain.empty() ? std::string("NIL") : quote(domain)) + ")";
  };
  int count = internet_address_list_length(list);
  for (int i = 0; i < count; ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      const char* gname = internet_address_get_name(a);
      out += "(NIL NIL " + quote(gname ? gname : "") + " NIL)";
      InternetAddressList* members = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a));
      for (int k = 0; members && k < internet_address_list_length(members); ++k) {
        InternetAddress* m = internet_address_list_get_address(members, k);
        if (INTERNET_ADDRESS_IS_MAILBOX(m)) out += mailbox(m);
      }
      out += "(NIL NIL NIL NIL)";
    } else if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
      out += mailbox(a);
    }
  }
  g_object_unref(list);
  return out.empty() ? "NIL" : "(" + out + ")";
}

std::string envelope_of(GMimeObject* msg) {
  std::string from = address_list(msg, "From");
  std::string sender = address_list(msg, "Sender"), reply_to = address_list(msg, "Reply-To");
  return "(" + nstring_header(msg, "Date") + " " + nstring_header(msg, "Subject") + " " + from + " " +
         (sender == "NIL" ? from : sender) + " " + (reply_to == "NIL" ? from : reply_to) + " " +
         address_list(msg, "To") + " " + address_list(msg, "Cc") + " " + address_list(msg, "Bcc") + " " +
         nstring_header(msg, "In-Reply-To") + " " + nstring_header(msg, "Message-ID") + ")";
}

std::string params_of(GMimeParamList* params, const char* default_charset) {
  std::string out;
  int n = params ? g_mime_param_list_length(params) : 0;
  bool has_charset = false;
  for (int i = 0; i < n; ++i) {
    GMimeParam* p = g_mime_param_list_get_parameter_at(params, i);
    const char* name = g_mime_param_get_name(p);
    const char* value = g_mime_param_get_value(p);
    if (util::iequals(name, "charset")) has_charset = true;
    out += (out.empty() ? "" : " ") + quote(name) + " " + quote(value ? value : "");
  }
  if (!has_charset && default_charset) out += std::string(out.empty() ? "" : " ") + "\"charset\" " + quote(default_charset);
  return out.empty() ? "NIL" : "(" + out + ")";
}

std::string disposition_of(GMimeObject* obj) {
  GMimeContentDisposition* d = g_mime_object_get_content_disposition(obj);
  if (!d || !g_mime_content_disposition_get_disposition(d)) return "NIL";
  return "(" + quote(g_mime_content_disposition_get_disposition(d)) + " " +
         params_of(g_mime_content_disposition_get_parameters(d), nullptr) + ")";
}

std::string serialize(GMimeObject* obj) { return take(g_mime_object_to_string(obj, nullptr)); }

size_t count_lines(const std::string& lf) {
  size_t n = 0;
  for (char c : lf) n += c == '\n';
  if (!lf.empty() && lf.back() != '\n') ++n;
  return n;
}

std::string structure_of(GMimeObject* obj, bool extended) {
  GMimeContentType* ct = g_mime_object_get_content_type(obj);
  const char* type = ct ? g_mime_content_type_get_media_type(ct) : "text";
  const char* subtype = ct ? g_mime_content_type_get_media_subtype(ct) : "plain";
  if (GMIME_IS_MULTIPART(obj)) {
    GMimeMultipart* mp = GMIME_MULTIPART(obj);
    std::string out = "(";
    int n = g_mime_multipart_get_count(mp);
    for (int i = 0; i < n; ++i) out += structure_of(g_mime_multipart_get_part(mp, i), extended);
    if (n == 0) out += "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)";
    out += " " + quote(subtype);
    if (extended)
      out += " " + params_of(g_mime_content_type_get_parameters(ct), nullptr) + " " + disposition_of(obj) + " " +
             nstring_header(obj, "Content-Language") + " " + nstring_header(obj, "Content-Location");
    return out + ")";
  }
  std::string body = split_entity(serialize(obj)).second;
  bool text = util::iequals(type, "text");
  std::string cte = unfold(raw_header(obj, "Content-Transfer-Encoding"));
  std::string out = "(" + quote(type) + " " + quote(subtype) + " " +
                    params_of(ct ? g_mime_content_type_get_parameters(ct) : nullptr, text ? "us-ascii" : nullptr) + " " +
                    nstring_header(obj, "Content-ID") + " " + nstring_header(obj, "Content-Description") + " " +
                    quote(cte.empty() ? "7bit" : cte) + " " + std::to_string(body.size() + count_lines(body) -
                                                                            (!body.empty() && body.back() != '\n'));
  if (GMIME_IS_MESSAGE_PART(obj)) {
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
    if (inner) {
      GMimeObject* inner_body = g_mime_message_get_mime_part(inner);
      out += " " + envelope_of(GMIME_OBJECT(inner)) + " " +
             (inner_body ? structure_of(inner_body, extended) : "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0)");
    } else {
      out += " (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0)";
    }
    out += " " + std::to_string(count_lines(body));
  } else if (text) {
    out += " " + std::to_string(count_lines(body));
  }
  if (extended)
    out += " " + nstring_header(obj, "Content-MD5") + " " + disposition_of(obj) + " " +
           nstring_header(obj, "Content-Language") + " " + nstring_header(obj, "Content-Location");
  return out + ")";
}

}  // namespace

struct MessageView::Mime {
  GMimeMessage* message = nullptr;
  ~Mime() {
    if (message) g_object_unref(message);
  }
};

MessageView MessageView::load(const std::string& path) { return MessageView(to_crlf(util::read_file(path))); }

MessageView::MessageView(std::string crlf_content) : content_(std::move(crlf_content)) {}
MessageView::~MessageView() = default;
MessageView::MessageView(MessageView&&) noexcept = default;

MessageView::Mime& MessageView::mime() {
  if (mime_) return *mime_;
  mime_ = std::make_unique<Mime>();
  std::string lf = to_lf(content_);
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(lf.data(), lf.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  mime_->message = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  g_object_unref(stream);
  return *mime_;
}

std::string MessageView::envelope() {
  auto& m = mime();
  if (!m.message) return "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)";
  return envelope_of(GMIME_OBJECT(m.message));
}

std::string MessageView::body_structure(bool extended) {
  auto& m = mime();
  GMimeObject* body = m.message ? g_mime_message_get_mime_part(m.message) : nullptr;
  if (!body) {
    auto [h, b] = split_entity(to_lf(content_));
    return "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" " +
           std::to_string(b.size() + count_lines(b)) + " " + std::to_string(count_lines(b)) + ")";
  }
  return structure_of(body, extended);
}

namespace {

std::string filter_headers(const std::string& block, const std::vector<std::string>& fields, bool keep) {
  // block: CRLF header lines with continuation lines, ending with the blank line.
  std::string out;
  bool include = false;
  size_t pos = 0;
  while (pos < block.size()) {
    size_t eol = block.find('\n', pos);
    if (eol == std::string::npos) eol = block.size() - 1;
    std::string line = block.substr(pos, eol + 1 - pos);
    pos = eol + 1;
    if (line == "\r\n" || line == "\n") break;
    if (line[0] != ' ' && line[0] != '\t') {
      auto colon = line.find(':');
      std::string name = util::to_upper(util::trim(line.substr(0, colon)));
      bool listed = std::find(fields.begin(), fields.end(), name) != fields.end();
      include = listed == keep;
    }
    if (include) out += line;
  }
  return out + "\r\n";
}

std::pair<std::string, std::string> split_crlf(const std::string& s) {
  if (s.compare(0, 2, "\r\n") == 0) return {"\r\n", s.substr(2)};
  auto pos = s.find("\r\n\r\n");
  if (pos == std::string::npos) return {s + "\r\n", ""};
  return {s.substr(0, pos + 4), s.substr(pos + 4)};
}

}  // namespace

std::string MessageView::section(const imap::Section& s) {
  using T = imap::Section::Text;
  std::string entity;  // the message (headers + body) the text specifier applies to
  if (s.part.empty()) {
    entity = content_;
  } else {
    auto& m = mime();
    if (!m.message) return "";
    GMimeObject* cur = g_mime_message_get_mime_part(m.message);
    for (size_t i = 0; i < s.part.size() && cur; ++i) {
      if (i > 0 && GMIME_IS_MESSAGE_PART(cur)) {
        GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(cur));
        cur = inner ? g_mime_message_get_mime_part(inner) : nullptr;
        if (!cur) break;
      }
      if (GMIME_IS_MULTIPART(cur)) {
        GMimeMultipart* mp = GMIME_MULTIPART(cur);
        cur = s.part[i] <= uint32_t(g_mime_multipart_get_count(mp)) ? g_mime_multipart_get_part(mp, int(s.part[i] - 1)) : nullptr;
      } else if (s.part[i] != 1) {
        cur = nullptr;
      }
    }
    if (!cur) return "";
    auto [headers, body] = split_entity(serialize(cur));
    if (s.text == T::Mime) return to_crlf(headers);
    // A message/rfc822 part's body is the whole embedded message.
    if (s.text == T::Full) return to_crlf(body);
    // HEADER / TEXT / HEADER.FIELDS of an embedded message.
    if (!GMIME_IS_MESSAGE_PART(cur)) return "";
    entity = to_crlf(body);
  }
  auto [headers, body] = split_crlf(entity);
  switch (s.text) {
    case T::Full: return entity;
    case T::Header: return headers;
    case T::Text: return body;
    case T::HeaderFields: return filter_headers(headers, s.fields, true);
    case T::HeaderFieldsNot: return filter_headers(headers, s.fields, false);
    case T::Mime: return "";
  }
  return "";
}

std::string MessageView::header_text(const std::string& field) {
  auto& m = mime();
  if (!m.message) return "";
  GMimeHeaderList* list = g_mime_object_get_header_list(GMIME_OBJECT(m.message));
  std::string out;
  int n = g_mime_header_list_get_count(list);
  for (int i = 0; i < n; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
    if (!util::iequals(g_mime_header_get_name(h), field)) continue;
    const char* v = g_mime_header_get_value(h);
    if (!out.empty()) out += "\n";
    out += v ? v : "";
  }
  return out;
}

std::optional<std::time_t> MessageView::sent_date() {
  auto& m = mime();
  if (!m.message) return std::nullopt;
  GDateTime* d = g_mime_message_get_date(m.message);
  if (!d) return std::nullopt;
  return std::time_t(g_date_time_to_unix(d));
}

std::string MessageView::body_text() {
  auto& m = mime();
  if (!m.message) return content_;
  std::string out;
  GMimePartIter* iter = g_mime_part_iter_new(GMIME_OBJECT(m.message));
  do {
    GMimeObject* cur = g_mime_part_iter_get_current(iter);
    if (cur && GMIME_IS_TEXT_PART(cur)) {
      char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(cur));
      if (text) out += take(text) + "\n";
    }
  } while (g_mime_part_iter_next(iter));
  g_mime_part_iter_free(iter);
  return out;
}

}  // namespace postern::mailbox
