# Oracle for RubyGems versions: Gem::Version.
#   ruby oracle-rubygems.rb compare  < "a<TAB>b" lines  > -1, 0, 1 or "invalid" per line
#   ruby oracle-rubygems.rb validate < versions         > "valid" or "invalid" per line
def parse(text)
  Gem::Version.correct?(text) ? Gem::Version.new(text) : nil
end

mode = ARGV.fetch(0)
$stdin.each_line do |line|
  fields = line.chomp("\n").split("\t", -1)
  if mode == "compare"
    a, b = fields.map { |v| parse(v) }
    puts(a.nil? || b.nil? ? "invalid" : (a <=> b))
  else
    puts(parse(fields[0]).nil? ? "invalid" : "valid")
  end
end
