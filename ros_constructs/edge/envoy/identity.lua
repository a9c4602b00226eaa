-- Set x-rh-identity from the verified identity. A missing or malformed value raises {deny = why}
-- and answers 401; any other error is a bug and answers 500. Every string enters the JSON through
-- json(), which escapes '"', '\' and control characters.
local ID = "^[A-Za-z0-9._-]+$"
local NAME = "^[!-~]+$"
local EMAIL = "^[A-Za-z0-9.!#$%%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$"

local function deny(reason)
  error({deny = reason}, 0)
end

local function json(s)
  return '"' .. (string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end)) .. '"'
end

local function lookup(claims, path)
  local value = claims
  for part in string.gmatch(path, "[^.]+") do
    if type(value) ~= "table" then return nil end
    value = value[part]
  end
  return value
end

-- The first present claim of `paths`, which must be a string (or whole number) matching `pattern`.
local function claim(claims, paths, pattern, max)
  for _, path in ipairs(paths) do
    local value = lookup(claims, path)
    if value ~= nil and value ~= "" then
      if type(value) == "number" and value == math.floor(value) and value >= 0 and value < 2^53 then
        value = string.format("%d", value)
      end
      if type(value) ~= "string" or #value > max or not string.find(value, pattern) then
        deny("invalid claim " .. path)
      end
      return value
    end
  end
  return nil
end

local function required(value, what)
  if value == nil then deny("missing " .. what) end
  return value
end

local function is_org_admin(claims)
  if CFG.admin_claim == nil then return false end
  local value = lookup(claims, CFG.admin_claim)
  if CFG.admin_role == nil then return value == true end
  if type(value) == "table" then
    for _, role in ipairs(value) do
      if role == CFG.admin_role then return true end
    end
  end
  return false
end

-- The verified JWT payload, or the headers the authorization service added (read, then removed;
-- a client's own were removed before that service ran).
local function verified_claims(handle)
  if CFG.headers == nil then
    local metadata = handle:streamInfo():dynamicMetadata():get("envoy.filters.http.jwt_authn")
    local payload = metadata and metadata[CFG.provider]
    if type(payload) ~= "table" then deny("no verified token") end
    return payload
  end
  local headers, claims = handle:headers(), {}
  for _, name in ipairs(CFG.headers) do
    claims[name] = headers:get(name)
    headers:remove(name)
  end
  return claims
end

local function identity(handle)
  local claims = verified_claims(handle)
  local org_id = CFG.org_id_value or required(claim(claims, CFG.org_id, ID, 128), "org_id")
  local account = claim(claims, CFG.account_number, ID, 128) or CFG.account_number_value or org_id
  local user_id = claim(claims, CFG.user_id, NAME, 128)
  local user = '"username":' .. json(required(claim(claims, CFG.username, NAME, 150), "username"))
    .. ',"email":' .. json(claim(claims, CFG.email, EMAIL, 254) or "")
    .. ',"is_org_admin":' .. tostring(is_org_admin(claims))
    .. ',"is_active":true'
    .. (user_id and ',"user_id":' .. json(user_id) or "")
  return '{"identity":{"type":"User","org_id":' .. json(org_id)
    .. ',"account_number":' .. json(account)
    .. ',"internal":{"org_id":' .. json(org_id) .. '}'
    .. ',"user":{' .. user .. '}}'
    .. ',"entitlements":{"cost_management":{"is_entitled":true}}}'
end

function envoy_on_request(handle)
  local ok, result = pcall(identity, handle)
  if ok then
    handle:headers():replace("x-rh-identity", handle:base64Escape(result))
  elseif type(result) == "table" then
    handle:logWarn("x-rh-identity refused: " .. result.deny)
    handle:respond({[":status"] = "401"}, "Unauthorized")
  else
    handle:logErr("x-rh-identity failed: " .. tostring(result))
    handle:respond({[":status"] = "500"}, "Internal Server Error")
  end
end
