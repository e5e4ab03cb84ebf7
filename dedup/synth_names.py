"""Names for synthetic SHG members, with their Devanagari spellings.

The lists are long on purpose: with a dozen names every village is full of
namesakes and matching looks harder than it is; with a few hundred, drawn
with a Zipf-like skew, "Sunita" is common and "Phoolmati" rare, as in a real
register. Written by hand (not machine-transliterated), so the Devanagari
side can test the transliterator honestly.
"""

from __future__ import annotations

WOMEN = """
Sunita:सुनीता Anita:अनीता Geeta:गीता Rekha:रेखा Savitri:सावित्री Urmila:उर्मिला
Manju:मंजू Sarita:सरिता Pushpa:पुष्पा Shanti:शांति Kusum:कुसुम Sushila:सुशीला
Meena:मीना Radha:राधा Kiran:किरण Kamla:कमला Phoolmati:फूलमती Rameshwari:रामेश्वरी
Lalti:लालती Munni:मुन्नी Guddi:गुड्डी Poonam:पूनम Pooja:पूजा Rita:रीता Neelam:नीलम
Suman:सुमन Asha:आशा Usha:उषा Nirmala:निर्मला Shakuntala:शकुंतला Sharda:शारदा
Laxmi:लक्ष्मी Saraswati:सरस्वती Parvati:पार्वती Durga:दुर्गा Kalawati:कलावती
Ramwati:रामवती Shyamwati:श्यामवती Chanda:चंदा Champa:चंपा Chameli:चमेली Basanti:बसंती
Bimla:बिमला Vimla:विमला Kamlesh:कमलेश Mamta:ममता Sangeeta:संगीता Babita:बबीता
Savita:सविता Kavita:कविता Lalita:ललिता Pramila:प्रमिला Premlata:प्रेमलता Snehlata:स्नेहलता
Hemlata:हेमलता Suraj:सूरज Gyanvati:ज्ञानवती Bhagwati:भगवती Dropadi:द्रोपदी Sita:सीता
Janki:जानकी Tulsi:तुलसी Ganga:गंगा Yamuna:यमुना Jamuna:जमुना Sarla:सरला Santosh:संतोष
Kanti:कांति Kaushalya:कौशल्या Sumitra:सुमित्रा Kaikeyi:कैकेयी Mira:मीरा Reena:रीना
Seema:सीमा Neetu:नीतू Pinki:पिंकी Rinki:रिंकी Sonam:सोनम Priyanka:प्रियंका Rani:रानी
Maya:माया Chhaya:छाया Shobha:शोभा Prabha:प्रभा Vidya:विद्या Vandana:वंदना Archana:अर्चना
Aarti:आरती Jyoti:ज्योति Manorama:मनोरमा Rajkumari:राजकुमारी Raj:राज Ramkali:रामकली
Phoolkali:फूलकली Sukhiya:सुखिया Dhaniya:धनिया Budhni:बुधनी Sugni:सुगनी Lakhpati:लखपती
Bhagyawati:भाग्यवती Indu:इंदु Indira:इंदिरा Kaushilya:कौशिल्या Shila:शीला Leela:लीला
Kanchan:कंचन Sudha:सुधा Madhu:मधु Nisha:निशा Shashi:शशि Rajni:रजनी Sunaina:सुनैना
Anju:अंजू Sanju:संजू Rubi:रूबी Nazma:नज़मा Shabana:शबाना Rubina:रुबीना Zarina:ज़रीना
Sakina:सकीना Hasina:हसीना Khushboo:खुशबू Gudiya:गुड़िया Mangli:मंगली Somwari:सोमवारी
Budhwari:बुधवारी Sanichari:सनिचरी Etwari:एतवारी Jhuma:झूमा Pyari:प्यारी Chandrakala:चंद्रकला
Shivkumari:शिवकुमारी Ramdulari:रामदुलारी Dulari:दुलारी Malti:मालती Shyama:श्यामा
Uma:उमा Rukmini:रुक्मिणी Hiramani:हीरामणि Kesari:केसरी Triveni:त्रिवेणी Shraddha:श्रद्धा
Swati:स्वाति Kshama:क्षमा Damayanti:दमयंती Draupadi:द्रौपदी Suhagi:सुहागी Mohini:मोहिनी
"""

MEN = """
Ramesh:रमेश Suresh:सुरेश Rajendra:राजेंद्र Mahesh:महेश Dinesh:दिनेश Rakesh:राकेश
Santosh:संतोष Vijay:विजय Mohan:मोहन Raju:राजू Shivkumar:शिवकुमार Ramprasad:रामप्रसाद
Shyamlal:श्यामलाल Ramkishore:रामकिशोर Jagdish:जगदीश Rambabu:रामबाबू Ashok:अशोक
Anil:अनिल Sunil:सुनील Manoj:मनोज Sanjay:संजय Ajay:अजय Pramod:प्रमोद Vinod:विनोद
Arvind:अरविंद Krishna:कृष्णा Gopal:गोपाल Govind:गोविंद Shankar:शंकर Bhola:भोला
Ramesh_Chandra:रमेश_चंद्र Harish:हरीश Naresh:नरेश Umesh:उमेश Kamlesh:कमलेश
Rajkumar:राजकुमार Rajesh:राजेश Mukesh:मुकेश Lallan:ललन Chhotelal:छोटेलाल
Bhagwan_Das:भगवान_दास Ramdev:रामदेव Shivshankar:शिवशंकर Ramchandra:रामचंद्र
Ramashankar:रमाशंकर Ramnaresh:रामनरेश Baijnath:बैजनाथ Jagannath:जगन्नाथ Ramji:रामजी
Sukhdev:सुखदेव Balram:बलराम Ghanshyam:घनश्याम Radheshyam:राधेश्याम Kanhaiya:कन्हैया
Phool_Chand:फूल_चंद Lakhan:लखन Budhram:बुधराम Somra:सोमरा Birsa:बिरसा Mangal:मंगल
Dharmendra:धर्मेंद्र Jitendra:जितेंद्र Surendra:सुरेंद्र Narendra:नरेंद्र Devendra:देवेंद्र
Mahendra:महेंद्र Upendra:उपेंद्र Brijesh:बृजेश Kishan:किशन Satish:सतीश Pappu:पप्पू
Munna:मुन्ना Guddu:गुड्डू Bablu:बबलू Sonu:सोनू Pintu:पिंटू Ramu:रामू Shyam:श्याम
Hari:हरि Prem:प्रेम Om_Prakash:ओम_प्रकाश Ved_Prakash:वेद_प्रकाश Jai_Prakash:जय_प्रकाश
Salim:सलीम Rafiq:रफ़ीक़ Anwar:अनवर Iqbal:इक़बाल Shakeel:शकील Mukhtar:मुख़्तार
Babulal:बाबूलाल Chhedilal:छेदीलाल Kallu:कल्लू Matadeen:मातादीन Sheetla_Prasad:शीतला_प्रसाद
"""

SURNAMES = """
Yadav:यादव Verma:वर्मा Maurya:मौर्य Singh:सिंह Prajapati:प्रजापति Pal:पाल Rawat:रावत
Gautam:गौतम Nishad:निषाद Kushwaha:कुशवाहा Patel:पटेल Sahu:साहू Mahto:महतो Oraon:उरांव
Munda:मुंडा Kumar:कुमार Prasad:प्रसाद Ram:राम Chauhan:चौहान Pandey:पांडेय Mishra:मिश्रा
Tiwari:तिवारी Gupta:गुप्ता Kurmi:कुर्मी Lodhi:लोधी Rajbhar:राजभर Sonkar:सोनकर Saroj:सरोज
Khan:ख़ान Ansari:अंसारी Ahirwar:अहिरवार Baiga:बैगा Gond:गोंड Tirkey:तिर्की Hembrom:हेम्ब्रम
"""


def _pairs(text: str) -> dict[str, str]:
    """``Latin:देवनागरी`` items; an underscore stands for a space inside a name."""
    out = {}
    for item in text.split():
        latin, devanagari = item.replace("_", " ").split(":")
        out[latin] = devanagari
    return out


WOMEN_NAMES = _pairs(WOMEN)
MEN_NAMES = _pairs(MEN)
SURNAME_NAMES = _pairs(SURNAMES)
