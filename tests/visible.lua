-- pandoc Lua filter for tests/test_fidelity.py: drop the fenced divs an output leaves out,
-- so that `pandoc -t plain` gives the words that output must hold. The classes to drop
-- come from guidepress.render.ONLY, as metadata: pandoc -M hide=handout-only -M hide=…
local hidden = {}

function Meta(meta)
  local hide = meta.hide
  if hide == nil then return end
  if pandoc.utils.type(hide) ~= "List" then hide = {hide} end
  for _, class in ipairs(hide) do hidden[pandoc.utils.stringify(class)] = true end
end

function Div(div)
  for _, class in ipairs(div.classes) do
    if hidden[class] then return {} end
  end
end

return {{Meta = Meta}, {Div = Div}}
