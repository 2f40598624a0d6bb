-- pandoc Lua filter for tests/test_fidelity.py: drop the fenced divs an output leaves out
-- (guidepress.render.ONLY), so that `pandoc -t plain` gives the words that output must hold.
-- The output is given as metadata: pandoc -M target=epub|pdf|handout.
local shown_in = {
  ["book-only"] = {epub = true, pdf = true, web = true},
  ["ebook-only"] = {epub = true, web = true},
  ["print-only"] = {pdf = true},
  ["handout-only"] = {handout = true},
}
local target = "epub"

function Meta(meta)
  if meta.target then target = pandoc.utils.stringify(meta.target) end
end

function Div(div)
  for _, class in ipairs(div.classes) do
    local outputs = shown_in[class]
    if outputs and not outputs[target] then return {} end
  end
end

return {{Meta = Meta}, {Div = Div}}
