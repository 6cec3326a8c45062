"""UI texts (zh, en) of the API reference page /api/docs. The OpenAPI document's own descriptions are English (the
contract tools generate clients from); the page shows them in Chinese through web/texts/api_reference_zh.py."""

TEXTS: dict[str, dict[str, str]] = {
    "api_docs_title": {"zh": "API 文档", "en": "API reference"},
    "api_docs_intro_note": {"zh": "以下说明译自 OpenAPI 文档;文档本身(JSON)为英文,供工具生成客户端。",
                            "en": "The descriptions below come from the OpenAPI document (JSON), which tools can "
                                  "generate clients from."},
    "api_docs_document": {"zh": "OpenAPI 文档(JSON)", "en": "OpenAPI document (JSON)"},
    "api_docs_contents": {"zh": "目录", "en": "Contents"},
    "api_docs_search": {"zh": "搜索接口", "en": "Search operations"},
    "api_docs_search_placeholder": {"zh": "按路径、方法或说明筛选,例如 customer、POST", "en": "Filter by path, method or words, e.g. customer, POST"},
    "api_docs_no_match": {"zh": "没有匹配的接口。", "en": "No operation matches."},
    "api_docs_operations": {"zh": "{n} 个接口", "en": "{n} operations", "en_one": "{n} operation"},
    "api_docs_parameter": {"zh": "参数", "en": "Parameter"},
    "api_docs_in": {"zh": "位置", "en": "In"},
    "api_docs_type": {"zh": "类型", "en": "Type"},
    "api_docs_about": {"zh": "说明", "en": "Description"},
    "api_docs_body": {"zh": "请求体", "en": "Request body"},
    "api_docs_responses": {"zh": "响应", "en": "Responses"},
    "api_docs_auth": {"zh": "认证", "en": "Authentication"},
    "api_docs_auth_read": {"zh": "Bearer 令牌或登录会话", "en": "bearer token or session"},
    "api_docs_auth_write": {"zh": "Bearer 令牌,或登录会话加 X-CSRF-Token 请求头",
                            "en": "bearer token, or session + X-CSRF-Token header"},
    "api_docs_schemas": {"zh": "数据结构", "en": "Schemas"},
    "api_docs_field": {"zh": "字段", "en": "Field"},
    "api_docs_in_query": {"zh": "查询参数", "en": "query"},
    "api_docs_in_path": {"zh": "路径", "en": "path"},
    "api_docs_in_header": {"zh": "请求头", "en": "header"},
}
